import { randomBytes } from "node:crypto";
import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { WkgError, safeSegment } from "@wasm-pkg/common";

/** One entry of `wit/deps`: a package directory of files, or a single `.wasm` file. */
export type DepsEntry = (
  | { kind: "dir"; name: string; files: Record<string, string | Uint8Array> }
  | { kind: "file"; name: string; bytes: Uint8Array }
) & {
  /** The package it holds (`ns:name@version`), for messages. */
  package?: string;
};

/** A name wkg would write that an entry it does not own already has. */
export interface DepsClash {
  /** The entry's path. */
  path: string;
  /** The package wkg would write there. */
  wanted?: string;
  /** What the user's entry holds, when known (`ns:name@version`). */
  holds?: string;
}

export interface DepsChange {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
  /** Entries the user keeps in deps/ that wkg does not manage; left alone. */
  kept: string[];
  /** Entries written without a marker (by upstream wkg) that wkg now manages. */
  adopted: string[];
}

/** Names wkg wrote last time, so it only ever removes its own entries. */
export const MANAGED_LIST = ".wkg-managed";

/**
 * Replace the entries wkg manages in `depsDir` with `entries`, all at once: the new directory
 * is assembled beside the old one (copying the user's own entries across) and swapped in with
 * two renames, so a reader — or a run killed half-way — sees the old deps or the new, never a
 * mix. Directories wkg did not write (the user's local deps) are kept; `adopted` names entries
 * upstream wkg wrote (it leaves no marker) that are to be treated as wkg's own. A leftover from a run
 * killed between the renames is restored first. Callers hold the project's file lock, so no
 * other wkg touches these staging names at the same time.
 */
export async function replaceDeps(depsDir: string, entries: DepsEntry[], adopted: readonly string[] = []): Promise<DepsChange> {
  await recover(depsDir);
  const marked = await readManaged(depsDir);
  const existing = await listEntries(depsDir);
  const previous = new Set([...marked, ...adopted.filter((name) => existing.includes(name))]);
  const next = new Map(entries.map((e) => [safeSegment(e.name, "dependency name"), e]));
  // Only what wkg wrote (or adopted) is replaced: taking a name the user's entry has would lose it.
  const clashing = [...next].filter(([name]) => existing.includes(name) && !previous.has(name));
  if (clashing.length > 0) {
    throw depsClashError(clashing.map(([name, e]) => ({ path: join(depsDir, name), ...(e.package ? { wanted: e.package } : {}) })));
  }
  const change: DepsChange = {
    added: [],
    updated: [],
    removed: [],
    unchanged: [],
    kept: [],
    adopted: [...previous].filter((n) => !marked.has(n)),
  };

  for (const name of existing) {
    if (name === MANAGED_LIST) continue;
    if (!previous.has(name) && !next.has(name)) change.kept.push(name);
  }
  for (const [name, entry] of next) {
    if (!existing.includes(name)) change.added.push(name);
    else if (await sameEntry(join(depsDir, name), entry)) change.unchanged.push(name);
    else change.updated.push(name);
  }
  for (const name of previous) if (!next.has(name) && existing.includes(name)) change.removed.push(name);
  if (change.added.length === 0 && change.updated.length === 0 && change.removed.length === 0 && (await sameManaged(marked, next))) {
    return sortChange(change);
  }

  const suffix = randomBytes(4).toString("hex");
  const staging = join(dirname(depsDir), `.${basename(depsDir)}.new-${suffix}`);
  const retired = join(dirname(depsDir), `.${basename(depsDir)}.old-${suffix}`);
  try {
    await mkdir(staging, { recursive: true });
    // Symlinks are copied as they are: by default `cp` rewrites a relative target to an absolute one.
    for (const name of change.kept) {
      await cp(join(depsDir, name), join(staging, name), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    }
    for (const [name, entry] of next) {
      if (entry.kind === "file") await writeFile(join(staging, name), entry.bytes);
      else {
        await mkdir(join(staging, name));
        for (const [file, content] of Object.entries(entry.files))
          await writeFile(join(staging, name, safeSegment(file, "file name")), content);
      }
    }
    const managed = [...next.keys()].sort();
    await writeFile(
      join(staging, MANAGED_LIST),
      `# Written by wkg: the entries of this directory it manages (others are yours).\n${managed.join("\n")}\n`,
    );
    const hadDeps = await exists(depsDir);
    if (hadDeps) await rename(depsDir, retired);
    await rename(staging, depsDir);
    if (hadDeps) await rm(retired, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    if (!(await exists(depsDir)) && (await exists(retired))) await rename(retired, depsDir).catch(() => {});
    if (error instanceof WkgError) throw error;
    throw new WkgError("IO", `failed to write ${depsDir}: ${(error as Error).message}`, { cause: error });
  }
  return sortChange(change);
}

/**
 * The entries of `depsDir` that `entries` would take although wkg does not own them: neither
 * listed in its marker nor `adopted`. A caller checks this before writing anything (the lock
 * included), as `replaceDeps` refuses them.
 */
export async function foreignClashes(
  depsDir: string,
  entries: readonly DepsEntry[],
  adopted: readonly string[] = [],
): Promise<DepsEntry[]> {
  const owned = new Set([...(await readManaged(depsDir)), ...adopted]);
  const existing = new Set(await listEntries(depsDir));
  return entries.filter((e) => existing.has(e.name) && !owned.has(e.name));
}

/** The error for entries of the user's that carry names wkg needs: it names each, and what to do. */
export function depsClashError(clashes: readonly DepsClash[]): WkgError {
  const shown = clashes.map((c) => ({ ...c, path: relative(process.cwd(), c.path) || c.path }));
  const lines = shown.map(
    (c) =>
      `${c.path} is in the way: wkg would write ${c.wanted ?? "a dependency"} there, but wkg did not write this entry` +
      (c.holds ? ` (it holds ${c.holds})` : ""),
  );
  const first = shown[0] as DepsClash;
  const wanted = first.wanted ?? "the dependency";
  // An entry holding the very package wanted is used as the user's, so declaring it is a way out;
  // an override must live outside deps/, or the package would be there twice.
  const hint =
    shown.length === 1
      ? `rename or remove ${first.path} (wkg then writes ${wanted} there); to use your own ${wanted} instead, ` +
        "make the entry declare that package, or move it out of wit/deps and point an [overrides] path at it; nothing was written"
      : "rename or remove each of these entries, or make each declare the package wkg would write there to use it instead; nothing was written";
  return new WkgError(
    "DEPS_CONFLICT",
    lines.length === 1 ? (lines[0] as string) : `entries of wit/deps are in the way:\n${lines.join("\n")}`,
    {
      hint,
      details: { clashes: shown },
    },
  );
}

/** A run killed between its two renames leaves no deps dir and a retired copy: put it back. */
async function recover(depsDir: string): Promise<void> {
  const parent = dirname(depsDir);
  const prefix = `.${basename(depsDir)}.`;
  let siblings: string[];
  try {
    siblings = await readdir(parent);
  } catch {
    return;
  }
  const retired = siblings.filter((s) => s.startsWith(`${prefix}old-`));
  const staged = siblings.filter((s) => s.startsWith(`${prefix}new-`));
  if (!(await exists(depsDir)) && retired[0]) await rename(join(parent, retired[0]), depsDir);
  for (const name of [...retired, ...staged]) await rm(join(parent, name), { recursive: true, force: true }).catch(() => {});
}

/** The entries of `depsDir` wkg wrote last time (empty when it never did). */
export async function readManaged(depsDir: string): Promise<Set<string>> {
  try {
    const text = await readFile(join(depsDir, MANAGED_LIST), "utf8");
    return new Set(text.split("\n").filter((l) => l && !l.startsWith("#")));
  } catch {
    return new Set();
  }
}

async function sameManaged(previous: Set<string>, next: Map<string, DepsEntry>): Promise<boolean> {
  return previous.size === next.size && [...next.keys()].every((n) => previous.has(n));
}

async function listEntries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function sameEntry(path: string, entry: DepsEntry): Promise<boolean> {
  try {
    if (entry.kind === "file") return Buffer.from(entry.bytes).equals(await readFile(path));
    const files = (await readdir(path)).sort();
    const wanted = Object.keys(entry.files).sort();
    if (files.join("\0") !== wanted.join("\0")) return false;
    for (const file of wanted) {
      const content = entry.files[file] as string | Uint8Array;
      if (!Buffer.from(typeof content === "string" ? Buffer.from(content) : content).equals(await readFile(join(path, file)))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function sortChange(change: DepsChange): DepsChange {
  for (const list of Object.values(change)) list.sort();
  return change;
}
