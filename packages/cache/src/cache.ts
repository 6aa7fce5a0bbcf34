import type { CallOptions, ContentStream, Digest, PackageRef, Release, Version } from "@wasm-pkg/common";

/**
 * What the client needs from a cache (upstream's `Cache` trait, plus listing and purging).
 * Content is addressed by digest and shared by every registry, which is safe because it is
 * verified; release records (version -> digest) are keyed by registry as well as package and
 * version, so one registry's answer never serves another's (upstream wasm-pkg-tools#249).
 */
export interface Cache {
  /** A stream of the cached bytes, verified while read (it errors at the end on a mismatch and the entry is purged), or undefined on a miss. */
  getContent(digest: Digest, opts?: CallOptions): Promise<ContentStream | undefined>;
  /** Store content; it becomes visible only after it was verified against `digest`. */
  putContent(digest: Digest, content: ContentStream, opts?: CallOptions): Promise<void>;
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
