import { PackageRef, Version } from "@wasm-pkg/common";
import type { LockFile, LockedPackage, LockedVersion } from "./types.js";

/** Upstream's order: by name (namespace, then name), then registry (none first). */
export function comparePackages(a: LockedPackage, b: LockedPackage): number {
  const byName = PackageRef.compare(a.name, b.name);
  if (byName !== 0) return byName;
  if (a.registry === b.registry) return 0;
  if (a.registry === undefined) return -1;
  if (b.registry === undefined) return 1;
  return a.registry < b.registry ? -1 : 1;
}

/** Upstream leaves this order to a hash map; we make it deterministic: by version, then requirement. */
export function compareVersions(a: LockedVersion, b: LockedVersion): number {
  const byVersion = Version.compare(a.version, b.version);
  if (byVersion !== 0) return byVersion;
  return a.requirement.text < b.requirement.text ? -1 : a.requirement.text > b.requirement.text ? 1 : 0;
}

/** A copy in canonical order, so equal locks serialize to equal bytes. */
export function normalizeLock(lock: LockFile): LockFile {
  return {
    version: 1,
    packages: [...lock.packages].sort(comparePackages).map((p) => ({ ...p, versions: [...p.versions].sort(compareVersions) })),
  };
}
