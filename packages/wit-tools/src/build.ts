import { withFileLock, writeFileAtomic } from "@wasm-pkg/common";
import {
  type LockChange,
  type LockEntry,
  type LockFile,
  diffLocks,
  lockEntries,
  lockFromEntries,
  readLockFile,
  writeLockFile,
} from "@wasm-pkg/lockfile";
import type { PackageMetadata } from "@wasm-pkg/lockfile";
import { addMetadata, encodeWitPackage } from "@wasm-pkg/wit";
import { lockedError } from "./fetch.js";
import { projectResolve } from "./generate.js";
import { type ProjectOptions, type ResolvedProject, resolveProject } from "./project.js";

export interface BuildOptions extends Omit<ProjectOptions, "lock"> {
  lockPath: string;
  /** Where to write the package (given its name and version); omitted: return the bytes only. */
  output?: (id: { name: string; version?: string }) => string;
  locked?: boolean;
  /**
   * Keep the lock's entries for other packages (a workspace member is built while the others
   * share the lock); by default the lock becomes exactly this package's resolution.
   */
  keepOtherEntries?: boolean;
  /** The tool recorded in the `producers` section (`processed-by`), e.g. `["wkg", "0.1.0"]`. */
  producer?: [string, string];
  /** `false`: write nothing, not even the lock; `lockChanges` says how it would change (publish). */
  write?: boolean;
}

export interface BuildResult {
  /** Where the package was written, when `output` was given. */
  path?: string;
  name: string;
  version?: string;
  bytes: Uint8Array;
  project: ResolvedProject;
  lock: LockFile;
  lockChanges: LockChange[];
  lockWritten: boolean;
}

/**
 * `wkg build`: resolve the package's dependencies as `fetch` does, encode it as a WIT package
 * binary with every dependency it uses embedded, and add metadata from `wkg.toml` (name,
 * producers, authors, description, licenses, source, homepage, revision, version). The output
 * is written first, then the lock, as upstream.
 */
export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  return await withFileLock(options.lockPath, async () => {
    const { lock: previous, text } = await readLockFile(options.lockPath);
    const project = await resolveProject({ ...options, lock: previous });
    const lock = options.keepOtherEntries
      ? lockFromEntries([...lockEntries(previous), ...lockEntries(project.lock)].filter(unique()))
      : project.lock;
    const lockChanges = diffLocks(previous, lock);
    if (options.locked && lockChanges.length > 0) throw lockedError(options.lockPath, lockChanges);
    const { resolve, root } = projectResolve(project);
    const meta: PackageMetadata = options.manifest.metadata ?? {};
    const bytes = addMetadata(encodeWitPackage(resolve, root, { producers: null }), {
      name: project.root.name,
      ...(options.producer ? { processedBy: [options.producer] } : {}),
      ...(meta.authors ? { authors: meta.authors } : {}),
      ...(meta.description ? { description: meta.description } : {}),
      ...(meta.licenses ? { licenses: meta.licenses } : {}),
      ...(meta.source ? { source: meta.source } : {}),
      ...(meta.homepage ? { homepage: meta.homepage } : {}),
      ...(meta.revision ? { revision: meta.revision } : {}),
      ...(project.root.version ? { version: project.root.version } : {}),
    });
    const write = options.write !== false;
    const path = write ? options.output?.(project.root) : undefined;
    if (path) await writeFileAtomic(path, bytes);
    const lockWritten = write ? await writeLockFile(options.lockPath, lock, text) : false;
    return {
      ...(path ? { path } : {}),
      name: project.root.name,
      ...(project.root.version ? { version: project.root.version } : {}),
      bytes,
      project,
      lock,
      lockChanges,
      lockWritten,
    };
  });
}

/** Keeps the last entry for each (package, registry, requirement): a new resolution replaces the old. */
function unique(): (entry: LockEntry, index: number, all: LockEntry[]) => boolean {
  const key = (e: LockEntry) => `${e.name}\u0000${e.registry ?? ""}\u0000${e.requirement}`;
  return (entry, index, all) => all.findLastIndex((e) => key(e) === key(entry)) === index;
}
