import type { CallOptions, ContentStream, Digest, PackageRef, Release, Version } from "@wasm-pkg/common";

export interface PutContentOptions extends CallOptions {
  source?: string;
  size?: number;
}

export interface CopyContentOptions extends CallOptions {
  /** Hash the copy before renaming it into place (default true). */
  verify?: boolean;
  /** File mode of `dest`, less the umask (default: the cache file's mode). */
  mode?: number;
}

/**
 * What the client needs from a cache (upstream's `Cache` trait, plus listing and purging).
 * Content is addressed by digest and shared by every registry, which is safe because it is
 * verified; release records (version -> digest) are keyed by registry as well as package and
 * version, so one registry's answer never serves another's (upstream wasm-pkg-tools#249).
 */
export interface Cache {
  /** A stream of the cached bytes, verified while read (it errors at the end on a mismatch and the entry is purged), or undefined on a miss. */
  getContent(digest: Digest, opts?: CallOptions): Promise<ContentStream | undefined>;
  /**
   * Store content; it becomes visible only after it was verified against `digest` (and `size`,
   * when given). `source` names where the bytes came from in the error on a mismatch.
   */
  putContent(digest: Digest, content: ContentStream, opts?: PutContentOptions): Promise<void>;
  /**
   * Copy an entry to `dest` atomically (a temp file beside it, renamed into place; missing
   * directories are created), by the
   * file system where it can. With `verify` (the default) the copy is hashed before it is
   * renamed: `corrupt` means the entry was bad and has been purged, and `dest` is untouched.
   * Optional: caches without it are read with `getContent`.
   */
  copyContent?(digest: Digest, dest: string, opts?: CopyContentOptions): Promise<"ok" | "missing" | "corrupt">;
  /** Re-hash an entry: `ok`, `missing`, or `corrupt` (the entry has then been purged). */
  checkContent(digest: Digest, opts?: CallOptions): Promise<"ok" | "missing" | "corrupt">;
  purgeContent(digest: Digest): Promise<void>;
  getRelease(registry: string, pkg: PackageRef, version: Version): Promise<Release | undefined>;
  putRelease(registry: string, pkg: PackageRef, release: Release): Promise<void>;
  /** Every release of `pkg` from `registry` the cache knows, in no particular order. */
  listReleases(registry: string, pkg: PackageRef): Promise<Release[]>;
  /** Where the cache lives, for messages (`undefined` for caches that are not on disk). */
  readonly location?: string;
}
