import type { Digest } from "./digest.js";
import { verifyDigest } from "./digest.js";
import { isWkgError } from "./errors.js";
import type { Logger } from "./events.js";
import type { PackageRef } from "./package-ref.js";
import { Version, type VersionReq } from "./version.js";

export interface CallOptions {
  signal?: AbortSignal;
}

export interface VersionInfo {
  version: Version;
  /** Only Warg can yank; OCI and local always report false. */
  yanked: boolean;
}

export interface Release {
  version: Version;
  contentDigest: Digest;
  /** Size in bytes when the registry states it (OCI layer descriptors do). */
  size?: number;
}

/** Component bytes. Web streams at every API boundary; Node streams only at the fs edge. */
export type ContentStream = ReadableStream<Uint8Array>;

/**
 * What can be published: bytes, or a Blob (`fs.openAsBlob(path)` gives a file-backed one),
 * both sized and re-readable, which OCI needs to hash before it uploads.
 */
export type PublishSource = Blob | Uint8Array;

export interface PublishOptions extends CallOptions {
  /** Resolve, authenticate and validate, but upload nothing. */
  dryRun?: boolean;
  /** Extra OCI-style annotations (`org.opencontainers.image.*`) a backend may record. */
  annotations?: Record<string, string>;
  /** Replace an existing version; without it a backend that can tell refuses with VERSION_EXISTS. */
  overwrite?: boolean;
}

export interface PublishResult {
  /** Where the release can now be found, in the backend's own terms (an OCI reference, a path). */
  location?: string;
  /** The digest of the published content. */
  contentDigest: Digest;
  /** Backend-specific identifier of the publish (OCI manifest digest, Warg record id). */
  id?: string;
}

/**
 * Read side of a registry protocol. Implementations produce raw data only: they never
 * verify digests or touch the cache. Callers use `streamContent()`, which verifies.
 */
export interface PackageLoader {
  /** Every published version, any order. Throws PACKAGE_NOT_FOUND when the package is unknown. */
  listAllVersions(pkg: PackageRef, opts?: CallOptions): Promise<VersionInfo[]>;
  /** Throws VERSION_NOT_FOUND (or PACKAGE_NOT_FOUND) when the release does not exist. */
  getRelease(pkg: PackageRef, version: Version, opts?: CallOptions): Promise<Release>;
  /** Raw bytes for a release; unverified. */
  streamContentUnvalidated(pkg: PackageRef, release: Release, opts?: CallOptions): Promise<ContentStream>;
}

export interface PackagePublisher {
  /** Throws VERSION_EXISTS when the backend refuses to replace an existing version. */
  publish(pkg: PackageRef, version: Version, source: PublishSource, opts?: PublishOptions): Promise<PublishResult>;
}

export interface Backend extends PackageLoader, PackagePublisher {
  /** `oci`, `warg`, `local` or a custom name. */
  readonly protocol: string;
}

/** Transport defaults the caller chooses once (timeouts, retries); backends add their TLS options. */
export interface TransportDefaults {
  timeoutMs?: number;
  retries?: number;
  userAgent?: string;
  /** An undici Dispatcher to use instead of the default proxy-aware agent (tests inject one). */
  dispatcher?: unknown;
}

/** What the client hands a backend factory (upstream: `new(registry, registry_config, registry_meta)`). */
export interface BackendContext {
  /** The wkg registry name (`host[:port]`). */
  registry: string;
  /** This protocol's table of `[registry."<name>".<protocol>]`, unparsed; the backend validates it. */
  backendConfig: unknown;
  /** This protocol's section of the registry's `registry.json`, unparsed. */
  protocolMetadata: unknown;
  logger: Logger;
  transport: TransportDefaults;
  /** Environment to read credentials and switches from (defaults to process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative config paths are resolved against. */
  cwd: string;
}

export interface BackendFactory {
  readonly protocol: string;
  create(ctx: BackendContext): Promise<Backend> | Backend;
}

/**
 * The read side the WIT workflows need; the client facade implements it with routing,
 * caching and verification. Declared here so `wit-tools` never imports the client.
 */
export interface PackageSource {
  listAllVersions(pkg: PackageRef, opts?: CallOptions): Promise<VersionInfo[]>;
  getRelease(pkg: PackageRef, version: Version, opts?: CallOptions): Promise<Release>;
  /** Verified content: the stream errors at the end if the digest does not match. */
  streamContent(pkg: PackageRef, release: Release, opts?: CallOptions): Promise<ContentStream>;
  /** The registry a package resolves to, recorded in `wkg.lock`. */
  registryFor(pkg: PackageRef): string | undefined;
}

/** Raw content piped through digest verification: the only way content should leave a backend. */
export async function streamContent(
  loader: PackageLoader,
  pkg: PackageRef,
  release: Release,
  opts: CallOptions & { source?: string } = {},
): Promise<ContentStream> {
  const raw = await loader.streamContentUnvalidated(pkg, release, opts);
  return raw.pipeThrough(
    verifyDigest(release.contentDigest, {
      source: opts.source ?? `${pkg}@${release.version}`,
      ...(release.size === undefined ? {} : { size: release.size }),
    }),
  );
}

export interface MatchOptions extends CallOptions {
  order?: "ascending" | "descending";
  /** Let prereleases match comparators that do not name them. Off by default, as cargo. */
  includePrerelease?: boolean;
  /** Keep yanked versions (off: they are never picked). */
  includeYanked?: boolean;
}

/** Versions matching `req`, sorted; an unknown package is an empty list (upstream's provided method). */
export async function listMatchingVersions(
  loader: Pick<PackageLoader, "listAllVersions">,
  pkg: PackageRef,
  req: VersionReq,
  opts: MatchOptions = {},
): Promise<VersionInfo[]> {
  let all: VersionInfo[];
  try {
    all = await loader.listAllVersions(pkg, opts);
  } catch (error) {
    if (isWkgError(error, "PACKAGE_NOT_FOUND")) return [];
    throw error;
  }
  return filterMatching(all, req, opts);
}

export function filterMatching(versions: VersionInfo[], req: VersionReq, opts: MatchOptions = {}): VersionInfo[] {
  const sign = (opts.order ?? "ascending") === "ascending" ? 1 : -1;
  return versions
    .filter((v) => (opts.includeYanked || !v.yanked) && req.matches(v.version, opts))
    .sort((a, b) => sign * Version.compare(a.version, b.version));
}

/** The highest non-yanked version matching `req` (default `*`), or undefined. */
export function pickHighest(
  versions: VersionInfo[],
  req?: VersionReq,
  opts: { includePrerelease?: boolean } = {},
): VersionInfo | undefined {
  let best: VersionInfo | undefined;
  for (const info of versions) {
    if (info.yanked) continue;
    if (req ? !req.matches(info.version, opts) : info.version.isPrerelease && !opts.includePrerelease) continue;
    if (!best || Version.compare(info.version, best.version) > 0) best = info;
  }
  return best;
}
