import { join } from "node:path";
import { type Digest, type PackageRef, type Version, joinInside, safeSegment } from "@wasm-pkg/common";

/**
 * Our files live in a subdirectory of the cache directory, so they never mix with the flat
 * `sha256:<hex>` and `<ns>:<name>-<version>.json` files the Rust wkg writes to the same
 * `wasm-pkg` directory. Each area carries a layout version; a new layout gets a new name
 * instead of reinterpreting old files.
 */
export const LAYOUT_DIR = "wkg-ts";
export const CONTENT_DIR = "content-v1";
export const RELEASES_DIR = "releases-v1";

/** `<dir>/content-v1/sha256/ab/cd/<hex>`: sharded so no directory grows huge. */
export function contentPath(dir: string, digest: Digest): string {
  const hex = digest.hex;
  return join(dir, CONTENT_DIR, digest.algorithm, hex.slice(0, 2), hex.slice(2, 4), hex);
}

/** `<dir>/releases-v1/<registry>/<ns>/<name>/`. */
export function releasesDir(dir: string, registry: string, pkg: PackageRef): string {
  return joinInside(
    join(dir, RELEASES_DIR),
    registrySegment(registry),
    safeSegment(pkg.namespace, "namespace"),
    safeSegment(pkg.name, "package name"),
  );
}

export function releasePath(dir: string, registry: string, pkg: PackageRef, version: Version): string {
  return joinInside(releasesDir(dir, registry, pkg), safeSegment(`${version}.json`, "file name"));
}

/**
 * A registry name as one portable path segment: lowercase ASCII letters, digits, `.` and `-`
 * stay (host names are made of them); every other byte becomes `_xx`. Host names never
 * contain `_`, so the mapping is one-to-one, and `127.0.0.1:5000` becomes `127.0.0.1_3a5000`
 * (no `:` in file names; upstream's cache breaks on Windows because of it).
 */
export function registrySegment(registry: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(registry.toLowerCase())) {
    const ch = String.fromCharCode(byte);
    out += /[a-z0-9.-]/.test(ch) ? ch : `_${byte.toString(16).padStart(2, "0")}`;
  }
  if (out === "" || /^\.+$/.test(out)) out = `_${out}`;
  return safeSegment(out, "registry name");
}
