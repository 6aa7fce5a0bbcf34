import { type Logger, WkgError, noopLogger, writeFileAtomic } from "@wasm-pkg/common";
import { type HttpClient, type HttpClientOptions, createHttpClient } from "@wasm-pkg/http";
import { credentialChain } from "./auth/chain.js";
import { type Credentials, basic } from "./auth/credentials.js";
import { type PullOptions, type PulledArtifact, type PulledManifest, openLayer, pullManifest } from "./pull.js";
import { type PushArtifactOptions, type PushResult, type PushSource, pushArtifact } from "./push.js";
import { OciReference } from "./reference.js";
import { RegistryClient } from "./registry-client.js";

export interface OciClientOptions {
  /** Where env vars come from (credentials, proxies, SOURCE_DATE_EPOCH); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** Credentials for every registry this client talks to (`wkg oci -u/-p`). */
  credentials?: { username: string; password: string } | Credentials;
  /** Read the Docker config for credentials (default true). */
  dockerConfig?: boolean;
  /** Hosts reached over plain http (`--insecure`, `WKG_OCI_INSECURE`); loopback hosts are anyway. */
  insecure?: string[];
  /** Extra trusted CA certificates (PEM). */
  ca?: string[];
  /** Accept any TLS certificate (test registries only). */
  insecureTls?: boolean;
  timeoutMs?: number;
  retries?: number;
  userAgent?: string;
  /** An undici dispatcher to use instead of the proxy-aware default. */
  dispatcher?: unknown;
}

/**
 * The OCI client without wkg's config: pull and push Wasm artifacts by reference, as
 * `wkg oci pull|push` do (and upstream's `wkg oci`). One client keeps one connection pool
 * and one authenticated session per registry host.
 */
export class OciClient {
  readonly http: HttpClient;
  private readonly registries = new Map<string, RegistryClient>();
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly logger: Logger;
  private readonly explicit: Credentials | undefined;
  private readonly insecure: Set<string>;

  constructor(private readonly options: OciClientOptions = {}) {
    this.env = options.env ?? process.env;
    this.logger = options.logger ?? noopLogger;
    const creds = options.credentials;
    this.explicit =
      creds && "username" in creds && !("kind" in creds)
        ? basic(creds.username, creds.password, "--username/--password")
        : (creds as Credentials | undefined);
    this.insecure = new Set((options.insecure ?? []).map((h) => h.toLowerCase()));
    this.http = createHttpClient({
      logger: this.logger,
      env: this.env,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.insecureTls ? { insecureTls: true } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher as HttpClientOptions["dispatcher"] } : {}),
    });
  }

  /** The distribution API of one registry host (memoised). */
  registry(host: string): RegistryClient {
    let client = this.registries.get(host);
    if (!client) {
      const hostname = host.replace(/:\d+$/, "");
      client = new RegistryClient({
        registry: host,
        ...(this.insecure.has(host) || this.insecure.has(hostname) ? { protocol: "http" as const } : {}),
        http: this.http,
        logger: this.logger,
        credentials: credentialChain(host, {
          env: this.env,
          explicit: this.explicit,
          logger: this.logger,
          docker: this.options.dockerConfig !== false,
        }),
      });
      this.registries.set(host, client);
    }
    return client;
  }

  async listTags(reference: string | OciReference, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const ref = typeof reference === "string" ? OciReference.parse(reference) : reference;
    return this.registry(ref.registry).listTags(ref.repository, options);
  }

  /** The manifest, wasm layer and config a reference resolves to. */
  async resolve(reference: string | OciReference, options: PullOptions = {}): Promise<PulledManifest> {
    const ref = typeof reference === "string" ? OciReference.parse(reference) : reference;
    return pullManifest(this.registry(ref.registry), ref.repository, ref.reference, options);
  }

  /** Resolve and open the layer; `content` is verified as it streams. */
  async pull(reference: string | OciReference, options: PullOptions = {}): Promise<PulledArtifact> {
    const ref = typeof reference === "string" ? OciReference.parse(reference) : reference;
    const client = this.registry(ref.registry);
    const pulled = await pullManifest(client, ref.repository, ref.reference, options);
    return { ...pulled, content: await openLayer(client, pulled, { label: ref.toString(), ...options }) };
  }

  /**
   * Pull to a file: written to a temp file beside it and renamed only after the digest
   * matched, so a failed or corrupted download leaves nothing at `path`.
   */
  async pullToFile(reference: string | OciReference, path: string, options: PullOptions = {}): Promise<PulledManifest & { path: string }> {
    const { content, ...pulled } = await this.pull(reference, options);
    await writeFileAtomic(path, content, options.signal ? { signal: options.signal } : {});
    return { ...pulled, path };
  }

  /** Push a wasm file as a Wasm OCI artifact; a reference without a tag pushes to `latest`. */
  async push(
    reference: string | OciReference,
    source: PushSource,
    options: PushArtifactOptions = {},
  ): Promise<PushResult & { reference: OciReference }> {
    const ref = typeof reference === "string" ? OciReference.parse(reference) : reference;
    if (ref.digest) {
      throw new WkgError("INVALID_REFERENCE", `cannot push to ${ref}: a push needs a tag, not a digest`, {
        hint: `push to a tag, e.g. \`${ref.registry}/${ref.repository}:1.0.0\`; the digest is printed afterwards`,
      });
    }
    const tag = ref.tag ?? "latest";
    const result = await pushArtifact(this.registry(ref.registry), ref.repository, tag, source, {
      env: this.env,
      label: ref.toString(),
      ...options,
    });
    return { ...result, reference: ref.with({ tag, digest: result.manifestDigest }) };
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
