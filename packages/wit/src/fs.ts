import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { WkgError } from "@wasm-pkg/common";
import { publicCall, publicCallAsync } from "./errors.js";
import type { PackageId } from "./model.js";
import { pushDirSource, pushFileBytes, type WitDepEntry, type WitDirSource } from "./resolve/dir.js";
import { pushGroups } from "./resolve/push.js";
import { Resolve } from "./resolve/resolve.js";
import type { WitSource } from "./text/group.js";

export interface ResolveOptions {
  /** Features that enable `@unstable(feature = ...)` items. */
  features?: Iterable<string>;
  /** Keep every `@unstable` item (wkg's behaviour when building and fetching). */
  allFeatures?: boolean;
  /** The path shown in error messages instead of the real one. */
  displayPath?: string;
}

export interface ResolvedPackage {
  resolve: Resolve;
  /** The id of the directory's (or file's) own package. */
  package: PackageId;
}

function ioError(what: string, path: string, error: unknown): WkgError {
  const reason = error instanceof Error ? error.message : String(error);
  return new WkgError("IO", `${what} ${path}: ${reason}`, { cause: error });
}

function byName(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The `*.wit` files directly inside `dir` (not `deps/`), read as text. */
async function readWitFiles(dir: string, display: string): Promise<WitSource[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort(byName);
  } catch (error) {
    throw ioError("failed to read directory", dir, error);
  }
  const files: WitSource[] = [];
  for (const name of names) {
    if (!name.endsWith(".wit")) continue;
    const path = join(dir, name);
    if (await isDirectory(path)) continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw ioError("failed to read file", path, error);
    }
    let contents: string;
    try {
      contents = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new WkgError("WIT_SYNTAX", `input file is not valid utf-8 [${display}/${name}]`);
    }
    files.push({ path: `${display}/${name}`, contents });
  }
  return files;
}

/**
 * Reads a WIT package directory and its `deps/` folder into memory without parsing it,
 * so it can be resolved (or inspected) later with {@link Resolve}.
 */
export async function readWitDir(dir: string, options: { displayPath?: string } = {}): Promise<WitDirSource> {
  const display = options.displayPath ?? dir;
  const files = await readWitFiles(dir, display);
  const depsDir = join(dir, "deps");
  const deps: WitDepEntry[] = [];
  if (await isDirectory(depsDir)) {
    let names: string[];
    try {
      names = (await readdir(depsDir)).sort(byName);
    } catch (error) {
      throw ioError("failed to read directory", depsDir, error);
    }
    for (const name of names) {
      const path = join(depsDir, name);
      const shown = `${display}/deps/${name}`;
      if (await isDirectory(path)) {
        deps.push({ kind: "dir", path: shown, files: await readWitFiles(path, shown) });
      } else if (/\.(wit|wat|wasm)$/.test(name)) {
        try {
          deps.push({ kind: "file", path: shown, bytes: new Uint8Array(await readFile(path)) });
        } catch (error) {
          throw ioError("failed to read path for WIT", path, error);
        }
      }
    }
  }
  return { path: display, files, deps };
}

/**
 * Parses and resolves a WIT directory (its `*.wit` files plus `deps/`), as
 * `wasm-tools component wit <dir>` does. Errors are `WkgError`s (`WIT_SYNTAX`,
 * `WIT_RESOLVE`, `WASM_DECODE`) whose message carries `file:line:col` and an excerpt.
 */
export async function resolveWitDir(dir: string, options: ResolveOptions = {}): Promise<ResolvedPackage> {
  const source = await publicCallAsync("WIT_RESOLVE", () => readWitDir(dir, options));
  return resolveWitSource(source, options);
}

/** Resolves an in-memory directory (see {@link readWitDir}); no filesystem access. */
export function resolveWitSource(source: WitDirSource, options: ResolveOptions = {}): ResolvedPackage {
  return publicCall("WIT_RESOLVE", () => {
    const resolve = new Resolve(options);
    const pkg = pushDirSource(resolve, source);
    return { resolve, package: pkg };
  });
}

/**
 * Resolves a path that is a WIT directory, a `.wit` file, or an encoded WIT package
 * (`.wasm`), like wit-parser's `push_path`.
 */
export async function resolveWitPath(path: string, options: ResolveOptions = {}): Promise<ResolvedPackage> {
  if (await isDirectory(path)) return resolveWitDir(path, options);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw ioError("failed to read path for WIT", path, error);
  }
  return publicCall("WIT_RESOLVE", () => {
    const resolve = new Resolve(options);
    const result = pushFileBytes(resolve, options.displayPath ?? path, bytes);
    const pkg = typeof result === "number" ? result : pushGroups(resolve, result, []);
    return { resolve, package: pkg };
  });
}

/**
 * Resolves a package given as in-memory WIT files (no filesystem access), optionally with
 * dependency entries as a `deps/` folder would hold them.
 */
export function resolveWitFiles(
  files: WitSource[],
  options: ResolveOptions & { deps?: WitDepEntry[]; path?: string } = {},
): ResolvedPackage {
  return resolveWitSource({ path: options.path ?? ".", files, deps: options.deps ?? [] }, options);
}
