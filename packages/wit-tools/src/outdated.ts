import { Version, type VersionInfo, pickHighest } from "@wasm-pkg/common";
import type { LockEntry } from "@wasm-pkg/lockfile";

export interface OutdatedRow {
  name: string;
  registry?: string;
  requirement: string;
  /** What wkg.lock pins. */
  locked: string;
  /** The newest version the requirement allows (what `wkg update` would pick). */
  wanted?: string;
  /** The newest version there is: releases only, unless the locked version is itself a pre-release. */
  latest?: string;
  /** Behind `wanted` or `latest`. */
  behind: boolean;
  /** The locked version is no longer offered (yanked, or gone from the registry). */
  missing: boolean;
}

/**
 * `npm outdated` for a lock: for each entry, the locked version, the newest its requirement
 * allows and the newest there is, from the registry's version list. Yanked versions are never
 * wanted or latest.
 */
export function outdatedRows(entries: readonly LockEntry[], versionsOf: (entry: LockEntry) => VersionInfo[]): OutdatedRow[] {
  return entries.map((entry) => {
    const versions = versionsOf(entry);
    const includePrerelease = entry.version.isPrerelease;
    const wanted = pickHighest(versions, entry.requirement)?.version;
    const latest = pickHighest(versions, undefined, { includePrerelease })?.version;
    const offered = versions.some((v) => !v.yanked && v.version.equals(entry.version));
    const newer = (v: Version | undefined) => v !== undefined && Version.compare(v, entry.version) > 0;
    return {
      name: entry.name.toString(),
      ...(entry.registry === undefined ? {} : { registry: entry.registry }),
      requirement: entry.requirement.toString(),
      locked: entry.version.toString(),
      ...(wanted ? { wanted: wanted.toString() } : {}),
      ...(latest ? { latest: latest.toString() } : {}),
      behind: newer(wanted) || newer(latest),
      missing: !offered,
    };
  });
}
