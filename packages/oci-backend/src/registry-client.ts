import { Digest, type Logger, WkgError, isAbortError, isLoopbackHost, isWkgError, noopLogger, redactUrl } from "@wasm-pkg/common";
import { type HttpClient, type RequestBody, download, readCapped, readStreamCapped, readTextCapped } from "@wasm-pkg/http";
import { type Descriptor, type ImageManifest, parseManifestDocument } from "./artifact.js";
import { Authenticator, type Scope } from "./auth/authenticator.js";
import type { CredentialSource } from "./auth/credentials.js";
import { type ErrorContext, errorFromParts, registryError } from "./errors.js";
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, OCI_MANIFEST } from "./media-types.js";

export interface RegistryClientOptions {
  /** `host[:port]` */
  registry: string;
  /**
   * `https` by default; `http` when asked. Loopback hosts default to http, and switch to
   * https by themselves if the server turns out to speak TLS.
   */
  protocol?: "http" | "https";
  http: HttpClient;
  credentials: CredentialSource;
  logger?: Logger;
}

export interface FetchedManifest {
  digest: Digest;
  /** The exact bytes the registry served (their sha256 is `digest`). */
  bytes: Uint8Array;
  mediaType: string | undefined;
  manifest: ImageManifest;
}

const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io"]);

interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  scope?: Scope;
  signal?: AbortSignal | undefined;
  retry?: boolean;
}

/**
 * The distribution API of one registry: tags, manifests, blobs, uploads; authentication
 * and the http/https choice handled underneath. Everything returned is raw: the callers
 * verify content against digests.
 */
export class RegistryClient {
  readonly registry: string;
  readonly http: HttpClient;
  readonly logger: Logger;
  private origin: string;
  private readonly auth: Authenticator;
  private schemeProbe: Promise<void> | undefined;

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.http = options.http;
    this.logger = options.logger ?? noopLogger;
    const host = options.registry.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    const protocol = options.protocol ?? (isLoopbackHost(host) ? "http" : "https");
    // Docker Hub's name is not where its API lives.
    const apiHost = DOCKER_HUB_ALIASES.has(options.registry) ? "registry-1.docker.io" : options.registry;
    this.origin = `${protocol}://${apiHost}`;
    // Only an unconfigured loopback host is probed; an explicit protocol is taken as said.
    this.schemeProbe = !options.protocol && protocol === "http" ? undefined : Promise.resolve();
    this.auth = new Authenticator({
      registry: options.registry,
      origin: () => this.origin,
      credentials: options.credentials,
      http: options.http,
      logger: this.logger,
    });
  }

  /** `http(s)://host[:port]`, as used (after the loopback https probe, when it ran). */
  get baseUrl(): string {
    return this.origin;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  /**
   * Loopback registries default to http. One that only speaks TLS either answers 400 to plain
   * http (Go servers say "Client sent an HTTP request to an HTTPS server") or drops the
   * connection; then https is tried, and kept if it answers.
   */
  private ensureScheme(signal?: AbortSignal): Promise<void> {
    this.schemeProbe ??= (async () => {
      const useHttps = () => {
        this.origin = this.origin.replace(/^http:/, "https:");
        this.logger({ type: "debug", message: `${this.registry} speaks https; using ${this.origin}` });
      };
      let response: Response;
      try {
        response = await this.http.request(`${this.origin}/v2/`, { retry: false, ...(signal ? { signal } : {}) });
      } catch (error) {
        if (isAbortError(error) || !isWkgError(error, "NETWORK")) throw error;
        const https = this.origin.replace(/^http:/, "https:");
        const answered = await this.http.request(`${https}/v2/`, { retry: false, ...(signal ? { signal } : {}) }).then(
          async (r) => {
            await r.body?.cancel().catch(() => {});
            return true;
          },
          // A certificate we do not trust still proves the server speaks TLS; the real request
          // will then fail with the advice about CAs.
          (httpsError: unknown) => /CERT|SSL|TLS|self[- ]signed/i.test((httpsError as Error).message ?? ""),
        );
        if (!answered) throw error;
        useHttps();
        return;
      }
      if (response.status === 400) {
        const text = await readTextCapped(response, 4096, "probe").catch(() => "");
        if (/HTTP request to an HTTPS server/i.test(text)) useHttps();
      } else {
        await response.body?.cancel().catch(() => {});
      }
    })().catch((error: unknown) => {
      this.schemeProbe = undefined;
      throw error;
    });
    return this.schemeProbe;
  }

  /**
   * Send a request with authorization, answering challenges: a 401 is retried with the
   * credentials or token the challenge asks for (twice at most). Requests whose body is a
   * one-shot stream are sent only after the scope's authorization is known.
   */
  async send(path: string, options: SendOptions = {}): Promise<Response> {
    await this.ensureScheme(options.signal);
    const url = /^https?:\/\//.test(path) ? path : this.url(path);
    // Credentials belong to the registry's origin only (a `Link` may point elsewhere).
    const sameOrigin = new URL(url).origin === new URL(this.origin).origin;
    let authorization = sameOrigin ? await this.auth.authorize(options.scope, options.signal) : undefined;
    const replayable = !(options.body instanceof ReadableStream);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...options.headers };
      if (authorization) headers.authorization = authorization;
      const response = await this.http.request(url, {
        method: options.method ?? "GET",
        headers,
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.retry === undefined ? {} : { retry: options.retry }),
      });
      if (response.status !== 401 || !replayable || !sameOrigin || attempt >= 2) return response;
      const next = await this.auth.onUnauthorized(response, options.scope, authorization, options.signal);
      if (!next) return response;
      await response.body?.cancel().catch(() => {});
      authorization = next;
    }
  }

  /** The Authorization header a request for `scope` would carry right now (for streamed bodies). */
  async authorizationFor(scope: Scope, signal?: AbortSignal): Promise<string | undefined> {
    await this.ensureScheme(signal);
    return this.auth.authorize(scope, signal);
  }

  async hasCredentials(): Promise<boolean> {
    return (await this.auth.credentials()).kind !== "anonymous";
  }

  async error(response: Response, context: Omit<ErrorContext, "authenticated" | "registry">): Promise<WkgError> {
    return registryError(response, { ...context, authenticated: await this.hasCredentials(), registry: this.registry });
  }

  /** `GET /v2/`: is this a registry, and do our credentials get in? */
  async ping(options: { signal?: AbortSignal } = {}): Promise<void> {
    const response = await this.send("/v2/", { signal: options.signal });
    if (response.ok) {
      await response.body?.cancel().catch(() => {});
      return;
    }
    throw await this.error(response, { what: `checking the registry ${this.registry}`, method: "GET" });
  }

  /**
   * Every tag of a repository, following `Link: <…>; rel="next"` pages (distribution 2.8
   * sends everything at once; ghcr.io and Docker Hub paginate). `"tags": null` is empty.
   */
  async listTags(repository: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list`;
    for (let page = 0; path !== undefined; page++) {
      if (page >= 1000) throw new WkgError("REGISTRY", `listing tags of ${this.registry}/${repository}: more than 1000 pages; giving up`);
      const response = await this.send(path, { scope: { repository }, signal: options.signal, headers: { accept: "application/json" } });
      if (!response.ok) {
        throw await this.error(response, {
          what: `listing versions of ${this.registry}/${repository}`,
          method: "GET",
          notFound: {
            code: "PACKAGE_NOT_FOUND",
            message: `package not found: ${this.registry}/${repository} does not exist`,
            hint: "check the package name and the registry it resolves to (`wkg config --show`)",
          },
        });
      }
      const body = await readJson<{ tags?: unknown }>(response, 32 * 1024 * 1024, `tag list of ${repository}`);
      if (Array.isArray(body.tags)) for (const tag of body.tags) if (typeof tag === "string") tags.push(tag);
      path = nextLink(response.headers.get("link"), response.url);
    }
    return tags;
  }

  /**
   * Fetch a manifest by tag or digest (with the Accept header distribution insists on),
   * capped at 4 MiB and verified: against the digest asked for, and against the
   * `Docker-Content-Digest` the registry states.
   */
  async getManifest(
    repository: string,
    reference: string,
    options: { signal?: AbortSignal; notFound?: ErrorContext["notFound"]; nameUnknown?: ErrorContext["nameUnknown"] } = {},
    depth = 0,
  ): Promise<FetchedManifest> {
    const source = `${this.registry}/${repository}${reference.includes(":") ? "@" : ":"}${reference}`;
    const response = await this.send(`/v2/${repository}/manifests/${reference}`, {
      scope: { repository },
      signal: options.signal,
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (!response.ok) {
      throw await this.error(response, {
        what: `fetching the manifest of ${source}`,
        method: "GET",
        notFound: options.notFound ?? { code: "VERSION_NOT_FOUND", message: `not found: ${source}` },
        ...(options.nameUnknown ? { nameUnknown: options.nameUnknown } : {}),
      });
    }
    const bytes = await readCapped(response, MAX_MANIFEST_BYTES, `manifest of ${source}`);
    const digest = Digest.of(bytes);
    const expected = Digest.tryParse(reference) ?? Digest.tryParse(response.headers.get("docker-content-digest") ?? "");
    if (expected && !expected.equals(digest)) {
      throw new WkgError(
        "INTEGRITY",
        `the manifest of ${source} does not match its digest: expected ${expected}, got ${digest}: GET ${redactUrl(response.url)}`,
        {
          hint: "the registry or a proxy sent different content; nothing was written",
          details: { expected: expected.toString(), actual: digest.toString() },
        },
      );
    }
    const contentType = response.headers.get("content-type") ?? undefined;
    const document = parseManifestDocument(bytes, contentType, source);
    if (document.kind === "index") {
      if (depth > 0) throw new WkgError("INVALID_MANIFEST", `${source} is an index inside an index; wkg reads one level`);
      const chosen = pickFromIndex(document.index.manifests, source);
      return this.getManifest(repository, chosen.digest, options, depth + 1);
    }
    return { digest, bytes, mediaType: document.manifest.mediaType, manifest: document.manifest };
  }

  /** HEAD a manifest: its digest when it exists, undefined when not. */
  async headManifest(
    repository: string,
    reference: string,
    options: { signal?: AbortSignal; push?: boolean } = {},
  ): Promise<Digest | undefined> {
    const response = await this.send(`/v2/${repository}/manifests/${reference}`, {
      method: "HEAD",
      scope: { repository, push: options.push ?? false },
      signal: options.signal,
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw await this.error(response, {
        what: `${options.push ? "pushing to" : "checking"} ${this.registry}/${repository}:${reference}`,
        method: "HEAD",
        write: options.push === true,
      });
    }
    const stated = Digest.tryParse(response.headers.get("docker-content-digest") ?? "");
    if (stated) return stated;
    // No digest header (some registries): fall back to fetching the manifest itself.
    return (await this.getManifest(repository, reference, options.signal ? { signal: options.signal } : {})).digest;
  }

  /** Does the repository already hold this blob? (Blobs are repository-scoped.) */
  async blobExists(repository: string, digest: Digest, options: { signal?: AbortSignal; push?: boolean } = {}): Promise<boolean> {
    const response = await this.send(`/v2/${repository}/blobs/${digest}`, {
      method: "HEAD",
      scope: { repository, push: options.push ?? false },
      signal: options.signal,
    });
    if (response.ok) return true;
    if (response.status === 404) return false;
    throw await this.error(response, {
      what: `checking blob ${digest} in ${this.registry}/${repository}`,
      method: "HEAD",
      write: options.push === true,
    });
  }

  /**
   * Stream a blob, unverified. Follows redirects (to object storage, without our
   * credentials) and resumes with Range if the connection drops mid-body.
   */
  async openBlob(
    repository: string,
    digest: Digest,
    options: { signal?: AbortSignal; notFound?: ErrorContext["notFound"]; size?: number } = {},
  ): Promise<{ body: ReadableStream<Uint8Array>; size: number | undefined }> {
    await this.ensureScheme(options.signal);
    const scope = { repository };
    const url = this.url(`/v2/${repository}/blobs/${digest}`);
    let authorization = await this.auth.authorize(scope, options.signal);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (authorization) headers.authorization = authorization;
      const { response, body } = await download(this.http, url, {
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.size === undefined ? {} : { size: options.size }),
      });
      if (response.ok) {
        const length = Number(response.headers.get("content-length") ?? Number.NaN);
        return { body, size: Number.isFinite(length) ? length : undefined };
      }
      if (response.status === 401 && attempt < 2) {
        const next = await this.auth.onUnauthorized(response, scope, authorization, options.signal);
        if (next) {
          await response.body?.cancel().catch(() => {});
          authorization = next;
          continue;
        }
      }
      throw await this.error(response, {
        what: `downloading blob ${digest} from ${this.registry}/${repository}`,
        method: "GET",
        notFound: options.notFound ?? { code: "REGISTRY", message: `blob ${digest} is missing from ${this.registry}/${repository}` },
      });
    }
  }

  /** Read a small blob (a config) whole, verified against its digest. */
  async readSmallBlob(repository: string, digest: Digest, maxBytes: number, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const { body } = await this.openBlob(repository, digest, options);
    const bytes = await readStreamCapped(
      body,
      maxBytes,
      `blob ${digest} of ${this.registry}/${repository}`,
      this.url(`/v2/${repository}/blobs/${digest}`),
    );
    const actual = Digest.of(bytes);
    if (!actual.equals(digest)) {
      throw new WkgError(
        "INTEGRITY",
        `blob of ${this.registry}/${repository} does not match its digest: expected ${digest}, got ${actual}`,
        {
          hint: "the registry or a proxy sent different content",
          details: { expected: digest.toString(), actual: actual.toString() },
        },
      );
    }
    return bytes;
  }

  /** PUT a manifest under a tag (or its digest); returns the digest the registry stored. */
  async putManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    options: { signal?: AbortSignal; mediaType?: string } = {},
  ): Promise<Digest> {
    if (bytes.byteLength > MAX_MANIFEST_BYTES) {
      throw new WkgError("INVALID_MANIFEST", `the manifest for ${this.registry}/${repository}:${reference} is larger than 4 MiB`, {
        hint: "registries refuse manifests over 4 MiB; use fewer or shorter annotations",
      });
    }
    const ours = Digest.of(bytes);
    const response = await this.send(`/v2/${repository}/manifests/${reference}`, {
      method: "PUT",
      scope: { repository, push: true },
      signal: options.signal,
      headers: { "content-type": options.mediaType ?? OCI_MANIFEST },
      body: bytes,
    });
    if (response.status !== 201 && !response.ok) {
      throw await this.error(response, {
        what: `pushing the manifest to ${this.registry}/${repository}:${reference}`,
        method: "PUT",
        write: true,
      });
    }
    await response.body?.cancel().catch(() => {});
    const stated = Digest.tryParse(response.headers.get("docker-content-digest") ?? "");
    if (stated && !stated.equals(ours)) {
      throw new WkgError("REGISTRY", `${this.registry} stored the manifest under ${stated}, but its bytes hash to ${ours}`, {
        hint: "the registry rewrote the manifest; it may not support OCI artifacts",
      });
    }
    return ours;
  }

  /** Map an error-status response to a WkgError built from parts (used by the upload code). */
  errorFromParts(status: number, statusText: string, text: string, url: string, context: ErrorContext): WkgError {
    return errorFromParts(status, statusText, text, url, { registry: this.registry, ...context });
  }
}

async function readJson<T>(response: Response, maxBytes: number, what: string): Promise<T> {
  const text = await readTextCapped(response, maxBytes, what);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new WkgError("REGISTRY", `${what} is not valid JSON (${(error as Error).message}): GET ${redactUrl(response.url)}`);
  }
}

/** The `rel="next"` target of a Link header, resolved against the page's URL. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?next"?/i.test(match[2] as string)) return new URL(match[1] as string, base).toString();
  }
  return undefined;
}

/** From an image index, the manifest for wasm: `platform.architecture = wasm` (wasip2 first), or the only entry. */
function pickFromIndex(manifests: Descriptor[], source: string): Descriptor {
  const wasm = manifests.filter((m) => m.platform?.architecture === "wasm");
  const choice = wasm.find((m) => m.platform?.os === "wasip2") ?? wasm[0] ?? (manifests.length === 1 ? manifests[0] : undefined);
  if (!choice) {
    throw new WkgError("INVALID_MANIFEST", `${source} is an image index with no wasm manifest (${manifests.length} entries)`, {
      hint: "this reference names a multi-platform container image, not a Wasm component",
    });
  }
  return choice;
}
