import { type Digest, type PackageRef, type Version, type VersionReq, WkgError } from "@wasm-pkg/common";
import { normalizeLock } from "./order.js";
import type { LockFile, LockedPackage, LockedVersion } from "./types.js";

/** One flat lock entry: a requirement of a package, resolved. */
export interface LockEntry {
  name: PackageRef;
  registry?: string;
  requirement: VersionReq;
  version: Version;
  digest: Digest;
}

export function lockEntries(lock: LockFile): LockEntry[] {
  return lock.packages.flatMap((p) =>
    p.versions.map((v) => ({ name: p.name, ...(p.registry === undefined ? {} : { registry: p.registry }), ...v })),
  );
}

/**
 * Build a lock from resolved entries, grouped by (package, registry). One requirement
 * resolving to two versions is a bug in the caller (upstream panics); it is an error here.
 */
export function lockFromEntries(entries: Iterable<LockEntry>): LockFile {
  const groups = new Map<string, LockedPackage>();
  for (const entry of entries) {
    const key = `${entry.name}\u0000${entry.registry ?? ""}`;
    let pkg = groups.get(key);
    if (!pkg) {
      pkg = { name: entry.name, ...(entry.registry === undefined ? {} : { registry: entry.registry }), versions: [] };
      groups.set(key, pkg);
    }
    const same = pkg.versions.find((v) => v.requirement.equals(entry.requirement));
    if (same) {
      if (!same.version.equals(entry.version) || !same.digest.equals(entry.digest)) {
        throw new WkgError(
          "INTERNAL",
          `requirement ${entry.requirement} of ${entry.name} resolved to both ${same.version} and ${entry.version}`,
        );
      }
      continue;
    }
    const locked: LockedVersion = { requirement: entry.requirement, version: entry.version, digest: entry.digest };
    pkg.versions.push(locked);
  }
  return normalizeLock({ version: 1, packages: [...groups.values()] });
}

/**
 * The locked resolution for exactly this requirement. A lock entry written without a
 * registry matches any registry (upstream's offline mode could never match online locks).
 */
export function findLocked(lock: LockFile, name: PackageRef, requirement: VersionReq, registry?: string): LockEntry | undefined {
  for (const pkg of lock.packages) {
    if (!pkg.name.equals(name)) continue;
    if (registry !== undefined && pkg.registry !== undefined && pkg.registry !== registry) continue;
    const v = pkg.versions.find((x) => x.requirement.equals(requirement));
    if (v) return { name: pkg.name, ...(pkg.registry === undefined ? {} : { registry: pkg.registry }), ...v };
  }
  return undefined;
}

/** Every locked version of a package (any requirement, any registry). */
export function lockedVersionsOf(lock: LockFile, name: PackageRef): LockEntry[] {
  return lockEntries(lock).filter((e) => e.name.equals(name));
}
