import { readFile, readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { WkgError } from "@wasm-pkg/common";
import {
  type ForeignDependency,
  type WitDepEntry,
  decodeWasm,
  foreignDependencies,
  groupPackageName,
  parseWitFiles,
  wasmBinary,
} from "@wasm-pkg/wit";

/**
 * A package that comes from the user's disk rather than a registry: an `[overrides]` path, a
 * workspace member, or an entry the user keeps in `wit/deps` themselves.
 */
export interface LocalPackage {
  /** `ns:name` */
  name: string;
  version?: string;
  /** Where it lives, for messages and `--type wasm` copies. */
  path: string;
  /** How the final resolve reads it (a folder of `.wit` files, or a file). */
  entry: WitDepEntry;
  /** Foreign packages it needs (text packages only: binaries carry theirs inside). */
  foreign: ForeignDependency[];
  /** Every package it provides (a `.wasm` package embeds its dependencies). */
  provides: string[];
}

/** The `*.wit` files directly in `dir` (never `deps/`), sorted by name, as text. */
export async function readWitSources(dir: string): Promise<Array<{ path: string; contents: string }>> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith(".wit")).map((e) => e.name);
  } catch (error) {
    throw new WkgError("IO", `failed to read WIT directory ${dir}: ${(error as Error).message}`, { cause: error });
  }
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (names.length === 0) {
    throw new WkgError("WIT_RESOLVE", `no .wit files in ${dir}`, {
      hint: "point at the directory that holds your package's .wit files (usually wit/)",
    });
  }
  return Promise.all(names.map(async (name) => ({ path: join(dir, name), contents: await readFile(join(dir, name), "utf8") })));
}

/** Read a local WIT directory, `.wit` file, or WIT package as `.wasm` or `.wat`. */
export async function readLocalPackage(path: string, displayPath = path): Promise<LocalPackage> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new WkgError("IO", `local dependency ${displayPath} does not exist`, {
      hint: "fix the path in wkg.toml [overrides] (paths are relative to the wkg.toml file)",
      cause: error,
    });
  }
  if (info.isDirectory()) {
    const files = await readWitSources(path);
    return fromText(files, displayPath, { kind: "dir", path: displayPath, files });
  }
  const read = new Uint8Array(await readFile(path));
  // A `.wat` package is assembled once here; its binary is what the final resolve reads.
  const bytes = wasmBinary(read, displayPath);
  if (bytes) {
    const decoded = decodeWasm(bytes);
    if (decoded.kind !== "wit-package") {
      throw new WkgError("INVALID_PACKAGE", `${displayPath} is a component, not a WIT package`, {
        hint: "a dependency must be a WIT package (`wkg build` makes one) or WIT text",
      });
    }
    const { resolve } = decoded;
    const provides = resolve.knownPackageNames();
    const { name } = resolve.pkg(decoded.package);
    return {
      name: `${name.namespace}:${name.name}`,
      ...(name.version ? { version: name.version.toString() } : {}),
      path: displayPath,
      entry: { kind: "file", path: displayPath, bytes },
      foreign: [],
      provides,
    };
  }
  const contents = new TextDecoder().decode(read);
  const files = [{ path: displayPath, contents }];
  return fromText(files, displayPath, {
    kind: "file",
    path: displayPath.endsWith(".wit") ? displayPath : `${displayPath}.wit`,
    bytes: read,
  });
}

function fromText(files: Array<{ path: string; contents: string }>, path: string, entry: WitDepEntry): LocalPackage {
  const group = parseWitFiles(files);
  const id = groupPackageName(group);
  return {
    name: id.name,
    ...(id.version ? { version: id.version } : {}),
    path,
    entry,
    foreign: foreignDependencies(group),
    provides: [`${id.name}${id.version ? `@${id.version}` : ""}`],
  };
}

/**
 * What a user keeps in `wit/deps` next to wkg's entries: every entry not in wkg's list, read as
 * wit-parser's `push_dir` reads `deps/` — each directory is a package (one without `.wit`
 * files is an error, as there), each `.wit`, `.wat` or `.wasm` file a package; other files are
 * ignored.
 */
export async function readUserDeps(depsDir: string, managed: ReadonlySet<string>): Promise<LocalPackage[]> {
  let entries: string[];
  try {
    entries = (await readdir(depsDir)).sort();
  } catch {
    return [];
  }
  const out: LocalPackage[] = [];
  for (const name of entries) {
    if (managed.has(name) || name.startsWith(".")) continue;
    const path = join(depsDir, name);
    const isDir = (await stat(path)).isDirectory();
    if (!isDir && !/\.(wit|wat|wasm)$/.test(name)) continue;
    const shown = join(basename(depsDir), name);
    if (isDir && (await readdir(path)).every((f) => !f.endsWith(".wit"))) {
      throw new WkgError("WIT_RESOLVE", `${shown} holds no .wit files, so it is no package`, {
        hint: "each directory in deps/ is one WIT package: add its .wit files or remove it (wasm-tools refuses it too)",
      });
    }
    out.push(await readLocalPackage(path, shown));
  }
  return out;
}
