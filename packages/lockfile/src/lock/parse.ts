import { Digest, PackageRef, Version, VersionReq, WkgError, parseTomlDocument } from "@wasm-pkg/common";
import { LOCK_FILE_VERSION, type LockFile, type LockedPackage, type LockedVersion } from "./types.js";

type Table = Record<string, unknown>;

/**
 * Parse `wkg.lock` (pure). Accepts upstream's aliases (`package` for `packages`, `version` for
 * `versions`); rejects other versions of the format. Errors name the file and the entry.
 */
export function parseLock(text: string, file = "wkg.lock"): LockFile {
  const doc = parseTomlDocument(text, file, "INVALID_LOCKFILE", "invalid lock file");
  const version = doc.version;
  if (version !== LOCK_FILE_VERSION && version !== BigInt(LOCK_FILE_VERSION)) {
    throw invalid(
      `${file}: unsupported lock file version: ${String(version ?? "(missing)")}`,
      undefined,
      "this wkg understands version 1; upgrade wkg, or delete the lock file and run `wkg fetch`",
    );
  }
  const rawPackages = doc.packages ?? doc.package ?? [];
  if (!Array.isArray(rawPackages)) throw invalid(`${file}: \`packages\` must be an array of tables`);
  const packages: LockedPackage[] = rawPackages.map((raw, i) => parsePackage(raw, `${file}: packages[${i}]`));
  return { version: 1, packages };
}

function parsePackage(raw: unknown, where: string): LockedPackage {
  if (!isTable(raw)) throw invalid(`${where}: expected a table`);
  const table = raw as Table;
  const name = field(table, "name", where);
  let ref: PackageRef;
  try {
    ref = PackageRef.parse(name);
  } catch (error) {
    throw invalid(`${where}: ${(error as Error).message}`, error);
  }
  const pkg: LockedPackage = { name: ref, versions: [] };
  if (table.registry !== undefined) pkg.registry = field(table, "registry", where);
  const versions = table.versions ?? table.version ?? [];
  if (!Array.isArray(versions)) throw invalid(`${where} (${name}): \`versions\` must be an array of tables`);
  pkg.versions = versions.map((v, j) => parseVersion(v, `${where} (${name}) versions[${j}]`));
  return pkg;
}

function parseVersion(raw: unknown, where: string): LockedVersion {
  if (!isTable(raw)) throw invalid(`${where}: expected a table`);
  const table = raw as Table;
  try {
    return {
      requirement: VersionReq.parse(field(table, "requirement", where)),
      version: Version.parse(field(table, "version", where)),
      digest: Digest.parse(field(table, "digest", where)),
    };
  } catch (error) {
    if (error instanceof WkgError && error.code === "INVALID_LOCKFILE") throw error;
    throw invalid(`${where}: ${(error as Error).message}`, error);
  }
}

function field(table: Table, key: string, where: string): string {
  const value = table[key];
  if (typeof value !== "string") throw invalid(`${where}: \`${key}\` must be a string`);
  return value;
}

function isTable(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(message: string, cause?: unknown, hint?: string): WkgError {
  return new WkgError("INVALID_LOCKFILE", `invalid lock file: ${message}`, {
    hint: hint ?? "the lock file is generated; restore it from version control, or delete it and run `wkg fetch`",
    ...(cause === undefined ? {} : { cause }),
  });
}
