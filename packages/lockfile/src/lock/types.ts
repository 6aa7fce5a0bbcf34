import type { Digest, PackageRef, Version, VersionReq } from "@wasm-pkg/common";

export const LOCK_FILE_NAME = "wkg.lock";
export const LOCK_FILE_VERSION = 1;

/** One resolved requirement: `requirement` was satisfied by `version`, whose content is `digest`. */
export interface LockedVersion {
  requirement: VersionReq;
  version: Version;
  digest: Digest;
}

/** A package from one registry, with every requirement the project resolved for it. */
export interface LockedPackage {
  name: PackageRef;
  /** The registry it resolved to; absent in locks written without one. */
  registry?: string;
  versions: LockedVersion[];
}

export interface LockFile {
  version: 1;
  packages: LockedPackage[];
}

export function emptyLock(): LockFile {
  return { version: 1, packages: [] };
}
