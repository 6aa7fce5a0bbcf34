import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Backend,
  type BackendContext,
  type BackendFactory,
  type CallOptions,
  type ContentStream,
  Digest,
  type PackageRef,
  type PublishOptions,
  type PublishResult,
  type PublishSource,
  type Release,
  Version,
  type VersionInfo,
  WkgError,
  isAbortError,
  isLabel,
  isWkgError,
  joinInside,
  redactUrl,
  writeFileAtomic,
} from "@wasm-pkg/common";
import { createHttpClient, type HttpClient } from "@wasm-pkg/http";
import { WargApi } from "./api.js";
import {
  type WargClientConfig,
  type WargSettings,
  defaultStateDir,
  loadWargClientConfig,
  normalizeWargUrl,
  parseWargSettings,
  registryUrl,
} from "./config.js";
import { digestOf } from "./content.js";
import { packageLogId } from "./protocol/records.js";
import { publishRelease } from "./publish.js";
import { type SyncTarget, type Verified, syncPackages } from "./sync.js";
import { TrustStore, safeLabel } from "./trust-store.js";

export interface WargBackendOptions {
  /** Where trust state lives when the config table has no `state_dir` (default: warg's `registriesDir`, else `<cache>/wasm-pkg/warg`). */
  stateDir?: string;
  /** Longest wait between publish status polls (default 1000 ms, as wasm-pkg-client). */
  pollIntervalMs?: number;
  /** Give up waiting for a publish after this long (default 10 minutes). */
  publishTimeoutMs?: number;
}

export interface WargBackend extends Backend {
  /** The registry's API base URL (after warg's own well-known lookup, once a call ran). */
  readonly baseUrl: URL;
  /** The trust state file of the home registry. */
  readonly trustFile: string;
  close(): Promise<void>;
}

/** Create the Warg backend for one registry; validates the config table and resolves the URL. */
export async function createWargBackend(ctx: BackendContext, options: WargBackendOptions = {}): Promise<WargBackend> {
  const settings = parseWargSettings(ctx.backendConfig, ctx.registry, ctx.cwd, ctx.logger);
  const wargConfig = await loadWargClientConfig(settings.configFile, ctx.cwd, ctx.env);
  const { url, fromMetadata } = registryUrl(ctx.registry, ctx.protocolMetadata);
  const stateDir = settings.stateDir ?? options.stateDir ?? wargConfig.registriesDir ?? defaultStateDir(ctx.env);
  if (!stateDir) {
    throw new WkgError(
      "INVALID_CONFIG",
      `no directory for the warg trust state of ${ctx.registry}: neither a cache directory nor state_dir is set`,
      {
        hint: `set state_dir in [registry."${ctx.registry}".warg], or set XDG_CACHE_HOME`,
      },
    );
  }
  if (wargConfig.keyringAuth && !settings.authToken) {
    ctx.logger({
      type: "warn",
      message: `the warg config ${wargConfig.path} asks for keyring auth, which wkg does not read`,
      hint: `set auth_token in [registry."${ctx.registry}".warg]`,
    });
  }
  const http = createHttpClient({
    logger: ctx.logger,
    ...(ctx.transport.timeoutMs === undefined ? {} : { timeoutMs: ctx.transport.timeoutMs }),
    ...(ctx.transport.retries === undefined ? {} : { retries: ctx.transport.retries }),
    ...(ctx.transport.userAgent === undefined ? {} : { userAgent: ctx.transport.userAgent }),
    ...(ctx.transport.dispatcher === undefined ? {} : { dispatcher: ctx.transport.dispatcher as never }),
  });
  // warg-client looks up `wargUrl` under its base URL. When the base is the registry's own
  // root, the client facade already read that document (and folded `wargUrl` in).
  const wellKnownPending = fromMetadata && url.href !== registryUrl(ctx.registry, undefined).url.href;
  return new WargBackendImpl(ctx, settings, wargConfig, url, stateDir, http, options, wellKnownPending);
}

/** The factory to register with the client: `{ warg: wargBackend }`. */
export const wargBackend: BackendFactory = { protocol: "warg", create: (ctx) => createWargBackend(ctx) };

/** A factory with options, e.g. a trust-state directory chosen by the caller. */
export function wargBackendWith(options: WargBackendOptions): BackendFactory {
  return { protocol: "warg", create: (ctx) => createWargBackend(ctx, options) };
}

class WargBackendImpl implements WargBackend {
  readonly protocol = "warg";
  private readonly api: WargApi;
  private ready: Promise<void> | undefined;
  /** namespace -> registry domain, from accepted `Warg-Registry-Hint`s and operator imports. */
  private federation: Map<string, string> | undefined;
  private readonly verified = new Map<string, Verified>();
  private readonly pollIntervalMs: number;
  private readonly publishTimeoutMs: number;

  constructor(
    private readonly ctx: BackendContext,
    private readonly settings: WargSettings,
    private readonly wargConfig: WargClientConfig,
    url: URL,
    private readonly stateDir: string,
    private readonly http: HttpClient,
    options: WargBackendOptions,
    private wellKnownPending: boolean,
  ) {
    this.api = new WargApi(url, http, settings.authToken, ctx.logger);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 600_000;
  }

  get baseUrl(): URL {
    return this.api.baseUrl;
  }

  get trustFile(): string {
    return new TrustStore(this.stateDir, this.api.baseUrl).file;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async init(signal?: AbortSignal): Promise<void> {
    if (!this.wellKnownPending) return;
    this.ready ??= (async () => {
      const wargUrl = await this.api.wellKnownWargUrl(signal);
      if (wargUrl) {
        this.api.baseUrl = normalizeWargUrl(
          wargUrl,
          `wargUrl in ${redactUrl(new URL(".well-known/wasm-pkg/registry.json", this.api.baseUrl))}`,
        );
      }
      this.wellKnownPending = false;
    })().finally(() => {
      this.ready = undefined;
    });
    await this.ready;
  }

  private target(registry: string | undefined): SyncTarget {
    return {
      api: this.api,
      ...(registry ? { registry } : {}),
      store: new TrustStore(this.stateDir, this.api.baseUrl, registry),
      label: registry ? `${registry} (via ${redactUrl(this.api.baseUrl)})` : redactUrl(this.api.baseUrl),
      logger: this.ctx.logger,
    };
  }

  // ---------------------------------------------------------------- federation

  private federationFile(): string {
    return join(joinInside(this.stateDir, safeLabel(this.api.baseUrl)), "namespaces.json");
  }

  private async namespaces(): Promise<Map<string, string>> {
    if (this.federation) return this.federation;
    const map = new Map<string, string>();
    try {
      const doc = JSON.parse(await readFile(this.federationFile(), "utf8")) as Record<string, unknown>;
      for (const [ns, registry] of Object.entries(doc)) if (isLabel(ns) && typeof registry === "string") map.set(ns, registry);
    } catch {
      // No map yet (or an unreadable one, which only costs a lookup).
    }
    this.federation = map;
    return map;
  }

  private async remember(namespace: string, registry: string): Promise<void> {
    const map = await this.namespaces();
    map.set(namespace, registry);
    await writeFileAtomic(this.federationFile(), `${JSON.stringify(Object.fromEntries(map), null, 2)}\n`);
  }

  /** The home registry has no such package: is the namespace served by another registry? */
  private async elsewhere(pkg: PackageRef, notFound: WkgError, signal?: AbortSignal): Promise<string | undefined> {
    const home = await syncPackages(this.target(undefined), [], signal);
    const ns = home.operator.namespace(pkg.namespace);
    if (ns?.state === "imported") return ns.registry;
    if (ns?.state === "defined") return undefined;
    const hint = notFound.details?.registryHint;
    if (typeof hint !== "string" || this.wargConfig.ignoreFederationHints) return undefined;
    const match = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(hint);
    if (!match || match[1] !== pkg.namespace) return undefined;
    const registry = match[2] as string;
    if (this.wargConfig.disableAutoAcceptFederationHints) {
      throw new WkgError(
        "PACKAGE_NOT_FOUND",
        `package ${pkg} not found on ${this.target(undefined).label}, which suggests registry ${registry} for namespace ${pkg.namespace}`,
        {
          hint: "accepting registry hints is disabled in the warg config (disableAutoAcceptFederationHints)",
          cause: notFound,
        },
      );
    }
    this.ctx.logger({
      type: "status",
      label: "Federation",
      message: `using ${registry} for namespace ${pkg.namespace}, as ${this.target(undefined).label} suggests`,
    });
    await this.remember(pkg.namespace, registry);
    return registry;
  }

  // ---------------------------------------------------------------- verified reads

  private async sync(registry: string | undefined, name: string, signal?: AbortSignal): Promise<Verified> {
    const key = `${registry ?? ""}\n${name}`;
    const verified = await syncPackages(this.target(registry), [name], signal, this.verified.get(key));
    this.verified.set(key, verified);
    return verified;
  }

  private async resolve(pkg: PackageRef, signal?: AbortSignal): Promise<{ registry: string | undefined; verified: Verified }> {
    await this.init(signal);
    const name = pkg.toString();
    const mapped = (await this.namespaces()).get(pkg.namespace);
    try {
      return { registry: mapped, verified: await this.sync(mapped, name, signal) };
    } catch (error) {
      if (mapped !== undefined || !isWkgError(error, "PACKAGE_NOT_FOUND")) throw error;
      const other = await this.elsewhere(pkg, error, signal);
      if (other === undefined) throw error;
      // Imports come from the (verified) operator log each time; keep them for this instance only.
      this.federation?.set(pkg.namespace, other);
      return { registry: other, verified: await this.sync(other, name, signal) };
    }
  }

  private async releases(pkg: PackageRef, signal?: AbortSignal) {
    const { registry, verified } = await this.resolve(pkg, signal);
    const state = verified.packages.get(pkg.toString());
    if (!state) throw new WkgError("INTERNAL", `verified state of ${pkg} is missing`);
    return { registry, log: state.log };
  }

  async listAllVersions(pkg: PackageRef, opts: CallOptions = {}): Promise<VersionInfo[]> {
    const { log } = await this.releases(pkg, opts.signal);
    const out: VersionInfo[] = [];
    for (const release of log.releases.values()) {
      const version = Version.tryParse(release.version);
      if (version) out.push({ version, yanked: release.state.status === "yanked" });
    }
    return out;
  }

  async getRelease(pkg: PackageRef, version: Version, opts: CallOptions = {}): Promise<Release> {
    const { log } = await this.releases(pkg, opts.signal);
    const release = log.releases.get(version.toString());
    const where = this.target(undefined).label;
    if (!release) {
      throw new WkgError("VERSION_NOT_FOUND", `${pkg}@${version} not found on warg registry ${where}`, {
        details: { package: pkg.toString(), version: version.toString() },
      });
    }
    if (release.state.status === "yanked") {
      throw new WkgError("REGISTRY", `version ${version} of ${pkg} was yanked on warg registry ${where}`, {
        hint: "pick another version; yanked warg releases cannot be downloaded",
        details: { package: pkg.toString(), version: version.toString(), yanked: true },
      });
    }
    return { version, contentDigest: Digest.parse(release.state.content) };
  }

  async streamContentUnvalidated(pkg: PackageRef, release: Release, opts: CallOptions = {}): Promise<ContentStream> {
    const { registry } = await this.resolve(pkg, opts.signal);
    const digest = release.contentDigest.toString();
    const urls = await this.api.contentSources(digest, {
      ...(registry ? { registry } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    let lastError: unknown;
    for (const url of urls) {
      try {
        return await this.api.download(url, opts.signal);
      } catch (error) {
        if (isAbortError(error)) throw error;
        lastError = error;
        this.ctx.logger({ type: "debug", message: `warg: content source ${redactUrl(url)} failed: ${(error as Error).message}` });
      }
    }
    throw lastError;
  }

  async publish(pkg: PackageRef, version: Version, source: PublishSource, opts: PublishOptions = {}): Promise<PublishResult> {
    await this.init(opts.signal);
    const key = this.settings.signingKey;
    if (!key) {
      throw new WkgError("CREDENTIALS", `no signing key for warg registry ${this.ctx.registry}`, {
        hint: `set signing_key = "ecdsa-p256:..." in [registry."${this.ctx.registry}".warg] (wkg does not read the OS keyring)`,
      });
    }
    const digest = await digestOf(source);
    const registry = (await this.namespaces()).get(pkg.namespace);
    const target = this.target(registry);
    const name = pkg.toString();
    if (opts.dryRun) {
      try {
        const verified = await this.sync(registry, name, opts.signal);
        if (verified.packages.get(name)?.log.releases.has(version.toString())) {
          throw new WkgError("VERSION_EXISTS", `${pkg}@${version} already exists on warg registry ${target.label}`);
        }
      } catch (error) {
        if (!isWkgError(error, "PACKAGE_NOT_FOUND") || this.wargConfig.disableAutoPackageInit) throw error;
      }
      return { contentDigest: digest };
    }
    const { recordId, verified } = await publishRelease(target, {
      name,
      version: version.toString(),
      digest,
      source,
      key,
      autoInit: !this.wargConfig.disableAutoPackageInit,
      pollIntervalMs: this.pollIntervalMs,
      timeoutMs: this.publishTimeoutMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    this.verified.set(`${registry ?? ""}\n${name}`, verified);
    return {
      contentDigest: digest,
      id: recordId,
      location: new URL(`v1/package/${packageLogId(name)}/record/${recordId}`, this.api.baseUrl).href,
    };
  }
}
