import {
  type CallOptions,
  type Digest,
  type Logger,
  type PackageRef,
  type PackageSource,
  type Release,
  type Version,
  type VersionInfo,
  type VersionReq,
  WkgError,
  isWkgError,
  noopLogger,
  pickHighest,
} from "@wasm-pkg/common";
import { type LockFile, findLocked } from "@wasm-pkg/lockfile";
import { mapLimit } from "./limit.js";

/** A registry dependency to resolve: a package and one requirement on it. */
export interface Requirement {
  name: PackageRef;
  requirement: VersionReq;
  /** Who asked for it, for error messages (`wit/`, `my:local override`). */
  requiredBy: string;
}

export interface SelectedVersion {
  name: PackageRef;
  requirement: VersionReq;
  registry: string | undefined;
  version: Version;
  digest: Digest;
  release: Release;
  /** How it was chosen: kept from the lock, or newly picked. */
  origin: "locked" | "picked";
}

export interface SelectOptions extends CallOptions {
  lock: LockFile;
  /** Packages whose lock pins are ignored (`wkg update a b`), or `all` (`wkg update`). */
  update?: ReadonlySet<string> | "all";
  /** Never contact a registry: every requirement must be pinned by the lock. */
  offline?: boolean;
  /** Concurrent registry calls (default 8). */
  concurrency?: number;
  logger?: Logger;
}

/**
 * Choose a version for every requirement. A lock pin is kept unless the package is being
 * updated (upstream HEAD ignored pins in `fetch`, §14.2); the registry must still serve the
 * pinned version with the pinned digest, else the run fails rather than silently drifting.
 * Unpinned requirements take the highest non-yanked match; prereleases only when named.
 */
export async function selectVersions(
  source: PackageSource,
  requirements: Requirement[],
  options: SelectOptions,
): Promise<SelectedVersion[]> {
  const logger = options.logger ?? noopLogger;
  const unique = dedupe(requirements);
  const listings = new Map<string, Promise<VersionInfo[]>>();
  const list = (name: PackageRef) => {
    const key = name.toString();
    let pending = listings.get(key);
    if (!pending) {
      pending = source.listAllVersions(name, options);
      listings.set(key, pending);
    }
    return pending;
  };
  const updating = (name: PackageRef) => options.update === "all" || (options.update?.has(name.toString()) ?? false);

  return await mapLimit(unique, options.concurrency ?? 16, async (req) => {
    const registry = source.registryFor(req.name);
    const locked = updating(req.name) ? undefined : findLocked(options.lock, req.name, req.requirement, registry);
    if (options.offline) {
      if (!locked) {
        throw new WkgError(
          "OFFLINE",
          `${req.name} ${req.requirement} (required by ${req.requiredBy}) is not in wkg.lock, and --offline forbids asking the registry`,
          {
            hint: "run once without --offline to resolve and lock it",
          },
        );
      }
      const release = await source.getRelease(req.name, locked.version, options);
      return verifyPinned(req, registry, locked.version, locked.digest, release);
    }
    if (locked) {
      // Both questions at once, one round trip instead of two: is the pin still listed (and not
      // yanked), and which digest does the registry give it now.
      const release = source.getRelease(req.name, locked.version, options);
      release.catch(() => {});
      const versions = await listOrExplain(list, req);
      const stillThere = versions.find((v) => v.version.equals(locked.version) && !v.yanked);
      if (stillThere) return verifyPinned(req, registry, locked.version, locked.digest, await release);
      logger({
        type: "warn",
        message: `${req.name}@${locked.version} from wkg.lock is no longer available (yanked or removed); picking another version matching ${req.requirement}`,
      });
      return await pick(req, registry, versions, source, options);
    }
    return await pick(req, registry, await listOrExplain(list, req), source, options);
  });
}

async function pick(
  req: Requirement,
  registry: string | undefined,
  versions: VersionInfo[],
  source: PackageSource,
  options: CallOptions,
): Promise<SelectedVersion> {
  const best = pickHighest(versions, req.requirement);
  if (!best) {
    const available = versions.filter((v) => !v.yanked).map((v) => v.version.toString());
    throw new WkgError(
      "VERSION_NOT_FOUND",
      `no release of ${req.name} matches ${req.requirement} (required by ${req.requiredBy}); available: ${available.length ? available.slice(-10).join(", ") : "none"}`,
      { hint: "loosen the requirement in the WIT import, or add an `[overrides]` entry in wkg.toml" },
    );
  }
  const release = await source.getRelease(req.name, best.version, options);
  return {
    name: req.name,
    requirement: req.requirement,
    registry,
    version: best.version,
    digest: release.contentDigest,
    release,
    origin: "picked",
  };
}

function verifyPinned(req: Requirement, registry: string | undefined, version: Version, digest: Digest, release: Release): SelectedVersion {
  if (!release.contentDigest.equals(digest)) {
    throw new WkgError(
      "INTEGRITY",
      `${req.name}@${version} has digest ${release.contentDigest} in the registry, but wkg.lock pins ${digest}`,
      { hint: `the published content changed; if you trust the new content, run \`wkg update ${req.name}\`` },
    );
  }
  return { name: req.name, requirement: req.requirement, registry, version, digest, release, origin: "locked" };
}

async function listOrExplain(list: (name: PackageRef) => Promise<VersionInfo[]>, req: Requirement): Promise<VersionInfo[]> {
  try {
    return await list(req.name);
  } catch (error) {
    if (isWkgError(error, "PACKAGE_NOT_FOUND")) {
      throw new WkgError("PACKAGE_NOT_FOUND", `package ${req.name} (required by ${req.requiredBy}) was not found in its registry`, {
        hint: "check the package name, or map its namespace to the right registry (`wkg config --edit`)",
        cause: error,
      });
    }
    throw error;
  }
}

/** One entry per (package, requirement); the first requester is kept for messages. */
function dedupe(requirements: Requirement[]): Requirement[] {
  const seen = new Map<string, Requirement>();
  for (const req of requirements) {
    const key = `${req.name}\u0000${req.requirement.text}`;
    if (!seen.has(key)) seen.set(key, req);
  }
  return [...seen.values()];
}
