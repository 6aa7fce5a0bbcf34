import { basename, join } from "node:path";
import { WkgError, withFileLock } from "@wasm-pkg/common";
import {
  type LockChange,
  type LockFile,
  diffLocks,
  formatLockDiff,
  lockEntries,
  lockFromEntries,
  readLockFile,
  writeLockFile,
} from "@wasm-pkg/lockfile";
import { type DepsChange, type DepsClash, type DepsEntry, depsClashError, foreignClashes, replaceDeps } from "./deps-dir.js";
import { depsEntries } from "./generate.js";
import { type LocalPackage, readLocalPackage } from "./local.js";
import { packageKey } from "./local-packages.js";
import { type ProjectOptions, type ResolvedProject, resolveProject } from "./project.js";

export interface FetchOptions extends Omit<ProjectOptions, "lock" | "witDir" | "locals"> {
  /** The WIT directories to fetch for: one package, or every workspace member. */
  witDirs: string[];
  lockPath: string;
  /** `wit` (default): printed packages; `wasm`: the binaries of direct dependencies. */
  output?: "wit" | "wasm";
  /** Fail, writing nothing, if the lock would change (`--locked`). */
  locked?: boolean;
  /** Each directory's dependencies may be other members (a workspace): they resolve locally. */
  workspace?: boolean;
}

export interface FetchResult {
  projects: Array<{ witDir: string; project: ResolvedProject; deps: DepsChange }>;
  lock: LockFile;
  lockChanges: LockChange[];
  lockWritten: boolean;
}

/**
 * `wkg fetch` / `wkg update`: resolve each directory's dependencies, then write the one lock
 * file they share and each `wit/deps` (only the entries wkg manages, swapped in at once) —
 * exactly the resolved set, so stale entries go. Everything runs under a lock on the lock
 * file, so two wkg processes on one project take turns. With `locked`, a change is an error
 * showing the difference, and nothing is written.
 */
export async function fetchProject(options: FetchOptions): Promise<FetchResult> {
  return await withFileLock(options.lockPath, () => fetchLocked(options), {
    ...(options.signal ? { signal: options.signal } : {}),
    onWait: (holder) => options.logger?.({ type: "status", label: "Waiting", message: `for ${holder} to finish with ${options.lockPath}` }),
  });
}

async function fetchLocked(options: FetchOptions): Promise<FetchResult> {
  const { lock: previous, text } = await readLockFile(options.lockPath);
  const members: LocalPackage[] = options.workspace ? await Promise.all(options.witDirs.map((dir) => readLocalPackage(dir))) : [];
  const resolved: Array<{ witDir: string; project: ResolvedProject; entries: DepsEntry[] }> = [];
  for (const witDir of options.witDirs) {
    const project = await resolveProject({ ...options, witDir, lock: previous, locals: members });
    resolved.push({ witDir, project, entries: depsEntries(project, options.output) });
  }
  await refuseClashes(resolved);
  const lock = lockFromEntries(resolved.flatMap((r) => lockEntries(r.project.lock)));
  const lockChanges = diffLocks(previous, lock);
  if (options.locked && lockChanges.length > 0) throw lockedError(options.lockPath, lockChanges);
  // The lock first: wit/deps is derived from it, so a run killed between the two leaves a lock
  // the next `wkg fetch` brings wit/deps up to. The other order could leave deps ahead of the
  // lock, and a later fetch would quietly undo an interrupted `wkg update`.
  const lockWritten = await writeLockFile(options.lockPath, lock, text);
  const projects = [];
  for (const { witDir, project, entries } of resolved) {
    projects.push({ witDir, project, deps: await replaceDeps(join(witDir, "deps"), entries, project.adopted) });
  }
  return { projects, lock, lockChanges, lockWritten };
}

/**
 * Every directory's deps are checked before anything is written: an entry wkg did not write
 * that has a name wkg needs (in any workspace member) stops the run with the lock untouched, so
 * no member's deps fall behind a lock written for them.
 */
async function refuseClashes(resolved: Array<{ witDir: string; project: ResolvedProject; entries: DepsEntry[] }>): Promise<void> {
  const clashes: DepsClash[] = [];
  for (const { witDir, project, entries } of resolved) {
    const depsDir = join(witDir, "deps");
    for (const entry of await foreignClashes(depsDir, entries, project.adopted)) {
      const holds = project.userDeps.find((l) => basename(l.path) === entry.name);
      clashes.push({
        path: join(depsDir, entry.name),
        ...(entry.package ? { wanted: entry.package } : {}),
        ...(holds ? { holds: packageKey(holds) } : {}),
      });
    }
  }
  if (clashes.length > 0) throw depsClashError(clashes);
}

export function lockedError(lockPath: string, changes: LockChange[]): WkgError {
  return new WkgError("LOCKED", `${lockPath} needs to change, but --locked forbids it:\n${formatLockDiff(changes)}`, {
    hint: "run without --locked (or `wkg update`) to update the lock file, then commit it",
    details: { changes },
  });
}
