import {
  type CallOptions,
  type Digest,
  type PackageRef,
  type PackageSource,
  type Release,
  type Version,
  type VersionInfo,
  type VersionReq,
  WkgError,
  isWkgError,
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
}

/**
 * Choose a version for every requirement. A lock pin is kept, without asking the registry,
 * unless the package is being updated (upstream HEAD ignored pins in `fetch`, §14.2); its
 * content is then verified against the pinned digest wherever it comes from. Unpinned
 * requirements take the highest non-yanked match; prereleases only when named.
 */
export async function selectVersions(
  source: PackageSource,
  requirements: Requirement[],
  options: SelectOptions,
): Promise<SelectedVersion[]> {
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
    if (locked) {
      // The lock is the answer: no registry round trip. The content is fetched (or found in the
      // cache) by the pinned digest and verified against it, so a registry that changed what it
      // serves under that version is caught when bytes are downloaded; `wkg update` re-resolves.
      return {
        name: req.name,
        requirement: req.requirement,
        registry,
        version: locked.version,
        digest: locked.digest,
        release: { version: locked.version, contentDigest: locked.digest },
        origin: "locked" as const,
      };
    }
    if (options.offline) {
      throw new WkgError(
        "OFFLINE",
        `${req.name} ${req.requirement} (required by ${req.requiredBy}) is not in wkg.lock, and --offline forbids asking the registry`,
        { hint: "run once without --offline to resolve and lock it" },
      );
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
