import { readFile, readdir } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { type CallOptions, type Logger, type PackageSource, WkgError, isWkgError } from "@wasm-pkg/common";
import { type LockFile, lockEntries } from "@wasm-pkg/lockfile";
import { type PackageId, type Resolve, type WitDirSource, decodeWasm, printPackage, readWitDir, resolveWitSource } from "@wasm-pkg/wit";
import type { LocalPackage } from "./local.js";
import { packageKey } from "./local-packages.js";
import { readAll } from "./stream.js";

const UNCHECKABLE = ["OFFLINE", "PACKAGE_NOT_FOUND", "VERSION_NOT_FOUND"] as const;

export interface AdoptOptions extends CallOptions {
  witDir: string;
  /** Entries of `wit/deps` that no `.wkg-managed` marker claims. */
  unmarked: LocalPackage[];
  lock: LockFile;
  source: PackageSource;
  /** The project's local packages (`[overrides]` paths, workspace members): upstream copies them too. */
  locals: LocalPackage[];
  logger: Logger;
}

/**
 * The unmarked entries of `wit/deps` that are what `wkg.lock` pins, to be managed by wkg as if
 * it had written them. Upstream wkg writes no `.wkg-managed` marker, so without this every
 * entry of a tree it fetched would count as the user's and its pin would be dropped.
 *
 * An entry is adopted only when nothing of the user's can be in it: it carries the name wkg
 * (and upstream) gives the package — `<ns>-<name>-<version>/` holding just `package.wit`, or
 * `<ns>-<name>-<version>.wasm` — its package and version are pinned by the lock (or carried
 * inside a pinned package's binary, as upstream prints those too), and its content is the
 * pinned content: a `.wasm` byte for byte (so its digest is the pinned one); WIT text once
 * parsed and printed again, so another printer's layout does not count as an edit. The pinned
 * bytes come through the source, verified against the lock's digest (from the cache when it
 * has them); when they cannot be had, the run fails rather than guess. Anything else stays the
 * user's: a pinned entry that differs is reported, since keeping it as the user's replaces the
 * registry package and drops its pin.
 */
export async function adoptUpstreamEntries(options: AdoptOptions): Promise<Set<string>> {
  const named = options.unmarked.filter((l) => basename(l.path) === upstreamEntryName(l));
  if (named.length === 0) return new Set();
  const disk = new DiskTree(options.witDir);
  const adopted = await adoptPinned(options, named, disk);
  for (const name of await adoptLocalCopies(
    options.locals,
    named.filter((l) => !adopted.has(basename(l.path))),
    disk,
  ))
    adopted.add(name);
  return adopted;
}

async function adoptPinned(options: AdoptOptions, named: LocalPackage[], disk: DiskTree): Promise<Set<string>> {
  // An unversioned package (`package acme:lib;`) is pinned under whatever version it was published as.
  const pinsOf = (local: LocalPackage) =>
    lockEntries(options.lock).filter(
      (e) => e.name.toString() === local.name && (local.version === undefined || e.version.text === local.version),
    );
  const direct = named.filter((l) => pinsOf(l).length > 0);
  const adopted = new Set<string>();
  if (direct.length === 0) return adopted;

  // The pinned binaries, and what each package they carry prints to.
  const expected = new Map<string, string[]>();
  const pinnedBytes = new Map<string, Uint8Array[]>();
  const read = new Map<string, Uint8Array>();
  for (const local of direct) {
    for (const pin of pinsOf(local)) {
      let bytes = read.get(pin.digest.toString());
      if (!bytes) {
        try {
          const stream = await options.source.streamContent(
            pin.name,
            { version: pin.version, contentDigest: pin.digest },
            callOptions(options),
          );
          bytes = await readAll(stream);
        } catch (error) {
          // Without the pinned content the entry cannot be told from an edited copy. Taking it as
          // the user's would drop the pin, taking it as wkg's could overwrite an edit: neither is
          // safe, so the run stops and says what would settle it.
          if (!UNCHECKABLE.some((code) => isWkgError(error, code))) throw error;
          const shown = relative(process.cwd(), join(options.witDir, "deps", basename(local.path)));
          throw new WkgError(
            (error as WkgError).code,
            `${shown}: cannot tell whether it is ${pin.name}@${pin.version} as wkg.lock pins it: ${(error as Error).message}`,
            {
              hint: `run once online (or with a cache that has ${pin.name}@${pin.version}); or delete ${shown} if it is not yours to keep`,
              cause: error,
            },
          );
        }
        read.set(pin.digest.toString(), bytes);
        const decoded = decodeWasm(bytes);
        for (const id of decoded.resolve.topologicalPackages()) {
          const key = packageName(decoded.resolve, id);
          expected.set(key, [...(expected.get(key) ?? []), printPackage(decoded.resolve, id)]);
        }
      }
      pinnedBytes.set(local.path, [...(pinnedBytes.get(local.path) ?? []), bytes]);
    }
  }

  for (const local of named) {
    const isDirect = direct.includes(local);
    const shown = relative(process.cwd(), join(options.witDir, "deps", basename(local.path)));
    let same = false;
    if (local.entry.kind === "file") {
      const bytes = Buffer.from(local.entry.bytes);
      same = (pinnedBytes.get(local.path) ?? []).some((pinned) => bytes.equals(pinned));
    } else if (expected.has(packageKey(local)) && (await onlyPackageWit(join(options.witDir, "deps", basename(local.path))))) {
      const wanted = expected.get(packageKey(local)) as string[];
      same = (await disk.texts(local)).some((t) => wanted.includes(t));
    } else if (!isDirect) continue;
    if (same) {
      adopted.add(basename(local.path));
      options.logger({ type: "debug", message: `${shown}: ${packageKey(local)} as wkg.lock pins it; wkg manages it from now on` });
    } else if (isDirect) {
      options.logger({
        type: "warn",
        message: `${shown} holds ${packageKey(local)}, which wkg.lock pins, but not the pinned content; it is kept as your own and used instead of the registry`,
        hint: `delete ${shown} to use the registry's ${local.name} again`,
      });
    }
  }
  return adopted;
}

/**
 * Entries that are upstream's copies of the project's own local packages (an `[overrides]`
 * path, a workspace member), which it writes to `wit/deps` as it does registry packages:
 * printed (`--type wit`) or the directory's files copied (`--type wasm`). Kept as the user's,
 * they would clash with the local package they copy. Adopted when they are that copy exactly:
 * the same files byte for byte, or the same package once both are parsed and printed.
 */
async function adoptLocalCopies(locals: LocalPackage[], named: LocalPackage[], disk: DiskTree): Promise<string[]> {
  const adopted: string[] = [];
  for (const entry of named) {
    const local = locals.find((l) => l.name === entry.name && l.version === entry.version);
    if (local?.entry.kind !== "dir" || entry.entry.kind !== "dir") continue;
    const dir = join(disk.witDir, "deps", basename(entry.path));
    const copied = await sameFiles(dir, dirname(local.entry.files[0]?.path ?? "."));
    if (copied || ((await onlyPackageWit(dir)) && (await disk.samePackage(entry, local)))) adopted.push(basename(entry.path));
  }
  return adopted;
}

/** The project's WIT directory as wasm-tools reads it (root files and every `deps/` entry), read once. */
class DiskTree {
  private source: Promise<WitDirSource | null> | undefined;
  private resolved: Resolve | null | undefined;
  constructor(readonly witDir: string) {}

  private read(): Promise<WitDirSource | null> {
    this.source ??= readWitDir(this.witDir).catch(() => null);
    return this.source;
  }

  private async resolve(): Promise<Resolve | null> {
    if (this.resolved === undefined) {
      const source = await this.read();
      this.resolved = source ? tryResolve(source) : null;
    }
    return this.resolved;
  }

  /** An entry's `package.wit` as it is, and as printed again from the resolved tree (when it resolves). */
  async texts(entry: LocalPackage): Promise<string[]> {
    const texts = [await readFile(join(this.witDir, "deps", basename(entry.path), "package.wit"), "utf8")];
    const resolve = await this.resolve();
    const id = resolve?.findPackage(packageKey(entry));
    if (resolve && id !== undefined) texts.push(printPackage(resolve, id));
    return texts;
  }

  /** Whether a `deps/` entry prints as the local package does, each resolved against the other entries. */
  async samePackage(entry: LocalPackage, local: LocalPackage): Promise<boolean> {
    const source = await this.read();
    if (!source || local.entry.kind !== "dir") return false;
    const others = source.deps.filter((d) => basename(d.path) !== basename(entry.path));
    const copy = await this.resolve();
    const original = tryResolve({ path: local.path, files: local.entry.files, deps: others });
    const copyId = copy?.findPackage(packageKey(entry));
    const originalId = original?.findPackage(packageKey(local));
    if (!copy || !original || copyId === undefined || originalId === undefined) return false;
    return printPackage(copy, copyId) === printPackage(original, originalId);
  }
}

function tryResolve(source: WitDirSource): Resolve | null {
  try {
    return resolveWitSource(source, { allFeatures: true }).resolve;
  } catch {
    return null;
  }
}

/** The name wkg and upstream give a package's entry in `wit/deps`. */
function upstreamEntryName(local: LocalPackage): string {
  const dir = `${local.name.replace(":", "-")}${local.version ? `-${local.version}` : ""}`;
  return local.entry.kind === "file" ? `${dir}.wasm` : dir;
}

function packageName(resolve: Resolve, id: PackageId): string {
  const { name } = resolve.pkg(id);
  return `${name.namespace}:${name.name}${name.version ? `@${name.version}` : ""}`;
}

/** `copy` holds just the regular files of `original` (as upstream copies them), byte for byte. */
async function sameFiles(copy: string, original: string): Promise<boolean> {
  try {
    const copied = await readdir(copy, { withFileTypes: true });
    if (copied.some((e) => !e.isFile())) return false;
    const names = copied.map((e) => e.name).sort();
    const wanted = (await readdir(original, { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
    if (names.join("\0") !== wanted.join("\0")) return false;
    for (const name of names) {
      if (!(await readFile(join(copy, name))).equals(await readFile(join(original, name)))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Exactly what wkg writes there: a lone `package.wit`, so replacing it loses nothing. */
async function onlyPackageWit(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.length === 1 && entries[0]?.name === "package.wit" && entries[0].isFile();
}

function callOptions(options: CallOptions): CallOptions {
  return options.signal ? { signal: options.signal } : {};
}
