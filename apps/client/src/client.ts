import { dirname, resolve } from "node:path";
import { type Cache, FileCache } from "@wasm-pkg/cache";
import {
  type BackendFactory,
  type ContentStream,
  Digest,
  type Logger,
  type PackageRef,
  type PackageSource,
  type Release,
  Version,
  type VersionInfo,
  type VersionReq,
  WkgError,
  isAbortError,
  noopLogger,
  pickHighest,
  streamContent,
  withProgress,
  writeFileAtomic,
} from "@wasm-pkg/common";
import { type Config, type LoadedConfig, globalCacheDir, resolveRegistry } from "@wasm-pkg/config";
import { backendsFor } from "./backends.js";
import { offlineMiss } from "./errors.js";
import type { WasmInspector } from "./inspector.js";
import { witInspector } from "./wit-inspector.js";
import type { ClientCallOptions, ClientOptions, FetchToFileOptions, FetchedFile, SelectOptions } from "./options.js";
import { type PublishOutcome, type PublishRequest, publish } from "./publish.js";
import { type Route, Router } from "./router.js";

/**
 * The wkg library facade: routes each package to its registry and protocol, caches and verifies
 * what it downloads, and publishes. Every byte it hands out has been checked against its digest.
 */
export class WkgClient implements PackageSource {
  readonly config: Config;
  readonly cache: Cache | undefined;
  readonly offline: boolean;
  readonly inspector: WasmInspector | undefined;
  readonly logger: Logger;
  /** @internal */
  readonly router: Router;

  constructor(options: ClientOptions) {
    const loaded = isLoaded(options.config) ? options.config : undefined;
    this.config = loaded ? loaded.config : (options.config as Config);
    const env = options.env ?? process.env;
    this.logger = options.logger ?? noopLogger;
    this.offline = options.offline === true;
    this.inspector = options.inspector === null ? undefined : (options.inspector ?? witInspector);
    this.cache = openCache(options.cache, env, this.logger);
    const backends: Record<string, BackendFactory> = {};
    for (const [name, factory] of Object.entries({ ...backendsFor(this.cache?.location), ...options.backends }))
      if (factory) backends[name] = factory;
    this.router = new Router({
      config: this.config,
      backends,
      logger: this.logger,
      transport: options.transport ?? {},
      env,
      configDir: options.configDir ?? configFileDir(loaded) ?? process.cwd(),
    });
  }

  /** The registry `pkg` resolves to, or undefined when none is configured (PackageSource, recorded in wkg.lock). */
  registryFor(pkg: PackageRef, opts: { registry?: string } = {}): string | undefined {
    if (opts.registry) return opts.registry;
    try {
      return resolveRegistry(this.config, pkg).registry;
    } catch {
      return undefined;
    }
  }

  /** Every published version, ascending. Offline: the versions in the cache. */
  async listVersions(pkg: PackageRef, opts: ClientCallOptions = {}): Promise<VersionInfo[]> {
    const registry = this.router.registryFor(pkg, opts.registry).registry;
    let infos: VersionInfo[];
    if (this.offline && !this.isLocal(registry)) {
      const cached = this.cache ? await this.cache.listReleases(registry, pkg) : [];
      if (cached.length === 0) throw offlineMiss(`the version list of ${pkg}`, registry, this.cache?.location);
      this.logger({ type: "debug", message: `offline: choosing among the ${cached.length} cached versions of ${pkg}` });
      infos = cached.map((r) => ({ version: r.version, yanked: false }));
    } else {
      const route = await this.route(pkg, opts);
      infos = sanitizeVersions(await route.backend.listAllVersions(pkg, signalOnly(opts)), `${pkg} from ${registry}`, this.logger);
    }
    return infos.sort((a, b) => Version.compare(a.version, b.version));
  }

  /** PackageSource's name for `listVersions`. */
  listAllVersions(pkg: PackageRef, opts: ClientCallOptions = {}): Promise<VersionInfo[]> {
    return this.listVersions(pkg, opts);
  }

  /**
   * The highest non-yanked version matching `requirement` (every version when absent).
   * Pre-releases take part only with `includePrerelease`, or when the requirement names one.
   */
  async selectVersion(pkg: PackageRef, requirement: VersionReq | undefined, opts: SelectOptions = {}): Promise<VersionInfo> {
    const versions = await this.listVersions(pkg, opts);
    const include = { includePrerelease: opts.includePrerelease === true };
    const best = pickHighest(versions, requirement, include);
    if (best) return best;
    const registry = this.router.registryFor(pkg, opts.registry).registry;
    const wanted = requirement ? ` matching ${requirement}` : "";
    const available = versions.filter((v) => !v.yanked).map((v) => v.version.toString());
    const prereleases = versions.filter(
      (v) => !v.yanked && v.version.isPrerelease && (!requirement || requirement.matches(v.version, { includePrerelease: true })),
    );
    let hint = available.length ? `available: ${shortList(available)}` : `nothing is published for ${pkg} on ${registry}`;
    if (prereleases.length && !include.includePrerelease) {
      hint = `only pre-releases match (${shortList(prereleases.map((v) => v.version.toString()))}); pass --prerelease to allow them, or name one exactly`;
    }
    throw new WkgError("VERSION_NOT_FOUND", `no release of ${pkg}${wanted} found in registry ${registry}`, {
      hint,
      details: { package: pkg.toString(), registry, ...(requirement ? { requirement: requirement.toString() } : {}), available },
    });
  }

  /** A release (its digest), from the registry; offline, from the cache. */
  async getRelease(pkg: PackageRef, version: Version, opts: ClientCallOptions = {}): Promise<Release> {
    const registry = this.router.registryFor(pkg, opts.registry).registry;
    if (this.offline && !this.isLocal(registry)) {
      const cached = await this.cache?.getRelease(registry, pkg, version);
      if (!cached) throw offlineMiss(`${pkg}@${version}`, registry, this.cache?.location);
      return cached;
    }
    const route = await this.route(pkg, opts);
    const release = sanitizeRelease(
      await route.backend.getRelease(pkg, version, signalOnly(opts)),
      version,
      `${pkg}@${version} from ${registry}`,
    );
    // A local directory is its own record; only remote answers are kept for offline use.
    if (this.cache && route.protocol !== "local") await this.cache.putRelease(registry, pkg, release);
    return release;
  }

  /**
   * Verified content. Served from the cache when it holds an intact copy (a corrupt copy is
   * purged and downloaded again), otherwise downloaded into the cache first, so a consumer
   * never sees bytes that have not been checked. Without a cache it streams from the backend,
   * verifying as it goes (the stream errors at the end on a mismatch).
   */
  async streamContent(pkg: PackageRef, release: Release, opts: ClientCallOptions = {}): Promise<ContentStream> {
    const cache = this.cache;
    if (!cache) return await this.download(pkg, release, opts);
    if ((await cache.checkContent(release.contentDigest, signalOnly(opts))) !== "ok") {
      await this.fill(cache, pkg, release, opts);
    }
    const stream = await cache.getContent(release.contentDigest, signalOnly(opts));
    if (!stream) throw vanished(release, cache);
    return stream;
  }

  /**
   * Write a release to `dest` atomically (temp file + rename): the file appears complete and
   * verified, or not at all. A corrupt cache entry is detected while copying, purged and
   * fetched again once.
   */
  async fetchToFile(pkg: PackageRef, release: Release, dest: string, opts: FetchToFileOptions = {}): Promise<FetchedFile> {
    const write = { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.mode === undefined ? {} : { mode: opts.mode }) };
    const size = async () => (await import("node:fs/promises")).stat(dest).then((s) => s.size);
    const result = async (fromCache: boolean): Promise<FetchedFile> => ({
      path: dest,
      digest: release.contentDigest.toString(),
      size: await size(),
      fromCache,
    });
    const cache = this.cache;
    if (!cache) {
      await writeFileAtomic(dest, await this.download(pkg, release, opts), write);
      return await result(false);
    }
    if (cache.copyContent) {
      // The file system copies; the copy is hashed, so what lands at `dest` is what was verified.
      const copied = await cache.copyContent(release.contentDigest, dest, { ...write, verify: true });
      if (copied === "ok") return await result(true);
      if (copied === "corrupt") {
        this.logger({ type: "warn", message: `the cached copy of ${pkg}@${release.version} was corrupt; downloading it again` });
      }
      await this.fill(cache, pkg, release, opts);
      // Just stored, verified on the way in: no need to hash it again.
      if ((await cache.copyContent(release.contentDigest, dest, { ...write, verify: false })) === "ok") return await result(false);
      throw vanished(release, cache);
    }
    const cached = await cache.getContent(release.contentDigest, signalOnly(opts));
    if (cached) {
      try {
        await writeFileAtomic(dest, cached, write);
        return await result(true);
      } catch (error) {
        if (isAbortError(error)) throw error;
        // Still intact means the failure was on the destination's side.
        if ((await cache.checkContent(release.contentDigest, signalOnly(opts))) === "ok") throw error;
        this.logger({ type: "warn", message: `the cached copy of ${pkg}@${release.version} was corrupt; downloading it again` });
      }
    }
    await this.fill(cache, pkg, release, opts);
    const fresh = await cache.getContent(release.contentDigest, signalOnly(opts));
    if (!fresh) throw vanished(release, cache);
    await writeFileAtomic(dest, fresh, write);
    return await result(false);
  }

  /** Publish a file (path), bytes or Blob; see `PublishRequest`. */
  publish(source: string | Blob | Uint8Array, request: PublishRequest = {}): Promise<PublishOutcome> {
    return publish(this, source, request);
  }

  /** Release idle connections; call when done so the process can exit promptly. */
  async close(): Promise<void> {
    await this.router.close();
  }

  /** @internal */
  async route(pkg: PackageRef, opts: ClientCallOptions = {}): Promise<Route> {
    return await this.router.route(pkg, opts.registry, opts.signal);
  }

  /** @internal whether a registry can be read without a network (a configured local directory). */
  isLocal(registry: string): boolean {
    return this.router.configuredProtocol(registry) === "local";
  }

  /** Download into the cache, which verifies the bytes (once) before they become visible. */
  private async fill(cache: Cache, pkg: PackageRef, release: Release, opts: ClientCallOptions): Promise<void> {
    const registry = this.router.registryFor(pkg, opts.registry).registry;
    const raw = await this.download(pkg, release, opts, { verify: false });
    await cache.putContent(release.contentDigest, raw, {
      ...signalOnly(opts),
      source: `${pkg}@${release.version} from ${registry}`,
      ...(release.size === undefined ? {} : { size: release.size }),
    });
  }

  /** The backend's bytes with progress; verified as they stream unless the caller verifies them itself. */
  private async download(
    pkg: PackageRef,
    release: Release,
    opts: ClientCallOptions,
    how: { verify?: boolean } = {},
  ): Promise<ContentStream> {
    const registry = this.router.registryFor(pkg, opts.registry).registry;
    if (this.offline && !this.isLocal(registry))
      throw offlineMiss(`the content of ${pkg}@${release.version}`, registry, this.cache?.location);
    const route = await this.route(pkg, opts);
    const label = `${pkg}@${release.version}`;
    const content =
      how.verify === false
        ? await route.backend.streamContentUnvalidated(pkg, release, signalOnly(opts))
        : await streamContent(route.backend, pkg, release, { ...signalOnly(opts), source: `${label} from ${registry}` });
    return withProgress(content, this.logger, {
      id: `${registry}/${label}`,
      label,
      ...(release.size === undefined ? {} : { total: release.size }),
    });
  }
}

function vanished(release: Release, cache: Cache): WkgError {
  return new WkgError(
    "CACHE",
    `error interacting with cache: ${release.contentDigest} vanished from ${cache.location} right after it was stored`,
  );
}

export function createClient(options: ClientOptions): WkgClient {
  return new WkgClient(options);
}

function isLoaded(config: Config | LoadedConfig): config is LoadedConfig {
  return typeof (config as LoadedConfig).config === "object" && Array.isArray((config as LoadedConfig).layers);
}

function configFileDir(loaded: LoadedConfig | undefined): string | undefined {
  const file = loaded?.layers.filter((l) => l.kind === "file").at(-1);
  return file?.kind === "file" ? dirname(resolve(file.path)) : undefined;
}

function openCache(option: ClientOptions["cache"], env: Readonly<Record<string, string | undefined>>, logger: Logger): Cache | undefined {
  if (option === false) return undefined;
  if (typeof option === "string") return new FileCache(resolve(option), { logger });
  if (option) return option;
  const dir = globalCacheDir(env);
  if (!dir) {
    logger({
      type: "warn",
      message: "no cache directory (HOME and XDG_CACHE_HOME are unset); caching is off",
      hint: "pass --cache <dir> or set WKG_CACHE_DIR",
    });
    return undefined;
  }
  return new FileCache(dir, { logger });
}

function signalOnly(opts: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return opts.signal ? { signal: opts.signal } : {};
}

/** Versions are re-parsed: a backend (a plugin, a registry) must not smuggle `../` into a file name. */
function sanitizeVersions(infos: VersionInfo[], what: string, logger: Logger): VersionInfo[] {
  const out: VersionInfo[] = [];
  for (const info of infos) {
    const text = String(info.version);
    const version = Version.tryParse(text);
    if (!version) {
      logger({ type: "warn", message: `ignoring invalid version ${JSON.stringify(text)} listed for ${what}` });
      continue;
    }
    out.push({ version, yanked: info.yanked === true });
  }
  return out;
}

function sanitizeRelease(release: Release, version: Version, what: string): Release {
  const text = String(release.version);
  if (!Version.isValid(text) || !Version.parse(text).equals(version)) {
    throw new WkgError("REGISTRY", `registry error: asked for ${what}, the backend answered with version ${JSON.stringify(text)}`);
  }
  const digest = Digest.parse(String(release.contentDigest));
  const size = Number.isSafeInteger(release.size) && (release.size as number) >= 0 ? release.size : undefined;
  return { version, contentDigest: digest, ...(size === undefined ? {} : { size }) };
}

function shortList(items: string[]): string {
  return items.length > 8 ? `${items.slice(-8).join(", ")} and ${items.length - 8} older` : items.join(", ");
}
