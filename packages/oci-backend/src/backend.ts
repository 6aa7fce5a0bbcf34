import {
  type Backend,
  type BackendContext,
  type BackendFactory,
  type CallOptions,
  type ContentStream,
  type PackageRef,
  type PublishOptions,
  type PublishResult,
  type PublishSource,
  type Release,
  type Version,
  type VersionInfo,
  Digest,
  withProgress,
} from "@wasm-pkg/common";
import { type HttpClientOptions, createHttpClient } from "@wasm-pkg/http";
import { credentialChain } from "./auth/chain.js";
import { ANNOTATION } from "./media-types.js";
import { pullManifest } from "./pull.js";
import { type DescribeComponent, type PushArtifactOptions, pushArtifact } from "./push.js";
import { repositoryFor, tagToVersion, versionToTag } from "./reference.js";
import { RegistryClient } from "./registry-client.js";
import { parseOciMetadata, parseOciSettings } from "./settings.js";

export interface OciBackendOptions {
  /** Reads a component's imports/exports for the config blob (a WIT decoder). */
  describe?: DescribeComponent;
  upload?: PushArtifactOptions["upload"];
}

/** Publish options the OCI backend understands beyond the common contract. */
export interface OciPublishOptions extends PublishOptions {
  describe?: DescribeComponent;
  /** The config's `author`. */
  author?: string;
}

/** A factory for the `oci` protocol; `describe` plugs in a WIT decoder for the config's component section. */
export function createOciBackendFactory(options: OciBackendOptions = {}): BackendFactory {
  return {
    protocol: "oci",
    create: (ctx) => new OciBackend(ctx, options),
  };
}

/** The `oci` backend: packages as CNCF Wasm OCI artifacts in any OCI distribution registry. */
export const ociBackend: BackendFactory = createOciBackendFactory();

class OciBackend implements Backend {
  readonly protocol = "oci";
  private readonly client: RegistryClient;
  private readonly namespacePrefix: string;
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(
    private readonly ctx: BackendContext,
    private readonly options: OciBackendOptions,
  ) {
    const where = `[registry.${JSON.stringify(ctx.registry)}.oci]`;
    const { settings, unknownKeys } = parseOciSettings(ctx.backendConfig, where);
    for (const key of unknownKeys) {
      ctx.logger({
        type: "warn",
        message: `unknown key ${JSON.stringify(key)} in ${where} is ignored`,
        hint: "known keys: auth, protocol, accept_invalid_certificates, extra_root_certificates",
      });
    }
    const metadata = parseOciMetadata(ctx.protocolMetadata, `registry metadata of ${ctx.registry}`);
    this.namespacePrefix = metadata.namespacePrefix;
    this.env = ctx.env;
    // Upstream: the OCI host is metadata's `oci.registry`, else the wkg registry name itself.
    const host = metadata.registry ?? ctx.registry;
    const transport = ctx.transport;
    const http = createHttpClient({
      logger: ctx.logger,
      env: ctx.env,
      ...(transport.timeoutMs ? { timeoutMs: transport.timeoutMs } : {}),
      ...(transport.retries !== undefined ? { retries: transport.retries } : {}),
      ...(transport.userAgent ? { userAgent: transport.userAgent } : {}),
      ...(transport.dispatcher ? { dispatcher: transport.dispatcher as HttpClientOptions["dispatcher"] } : {}),
      ...(settings.extraRootCertificates.length ? { ca: settings.extraRootCertificates } : {}),
      ...(settings.acceptInvalidCertificates ? { insecureTls: true } : {}),
    });
    this.client = new RegistryClient({
      registry: host,
      ...(settings.protocol ? { protocol: settings.protocol } : {}),
      http,
      logger: ctx.logger,
      credentials: credentialChain(host, { env: ctx.env, explicit: settings.credentials, logger: ctx.logger }),
    });
  }

  private repository(pkg: PackageRef): string {
    return repositoryFor(pkg, this.namespacePrefix);
  }

  async listAllVersions(pkg: PackageRef, opts: CallOptions = {}): Promise<VersionInfo[]> {
    const tags = await this.client.listTags(this.repository(pkg), opts);
    const versions: VersionInfo[] = [];
    for (const tag of tags) {
      // Non-version tags (`latest`, signature tags) are not releases.
      const version = tagToVersion(tag);
      if (version) versions.push({ version, yanked: false });
    }
    return versions;
  }

  async getRelease(pkg: PackageRef, version: Version, opts: CallOptions = {}): Promise<Release> {
    const repository = this.repository(pkg);
    const pulled = await pullManifest(this.client, repository, versionToTag(version), {
      ...opts,
      readConfig: false,
      notFound: {
        code: "VERSION_NOT_FOUND",
        message: `version ${version} of ${pkg} not found in ${this.client.registry}/${repository}`,
        hint: `check the version: ${this.client.registry}/${repository} has no tag ${versionToTag(version)}`,
      },
      nameUnknown: {
        code: "PACKAGE_NOT_FOUND",
        message: `package ${pkg} not found: ${this.client.registry}/${repository} does not exist`,
        hint: "check the package name and the registry it resolves to (`wkg config --show`)",
      },
    });
    return { version, contentDigest: Digest.parse(pulled.layer.digest), size: pulled.layer.size };
  }

  async streamContentUnvalidated(pkg: PackageRef, release: Release, opts: CallOptions = {}): Promise<ContentStream> {
    const { body } = await this.client.openBlob(this.repository(pkg), release.contentDigest, {
      ...opts,
      ...(release.size === undefined ? {} : { size: release.size }),
    });
    return withProgress(body, this.ctx.logger, {
      id: `fetch:${release.contentDigest}`,
      label: `${pkg}@${release.version}`,
      ...(release.size === undefined ? {} : { total: release.size }),
    });
  }

  async publish(pkg: PackageRef, version: Version, source: PublishSource, opts: OciPublishOptions = {}): Promise<PublishResult> {
    const repository = this.repository(pkg);
    const tag = versionToTag(version);
    const describe = opts.describe ?? this.options.describe;
    const result = await pushArtifact(this.client, repository, tag, source, {
      annotations: { ...opts.annotations, [ANNOTATION.version]: version.toString() },
      title: `${pkg.name}.wasm`,
      env: this.env,
      existing: "refuse",
      label: `${pkg}@${version}`,
      sourceName: `${pkg}@${version}`,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.author ? { author: opts.author } : {}),
      ...(describe ? { describe } : {}),
      ...(this.options.upload ? { upload: this.options.upload } : {}),
    });
    return {
      location: `${this.client.registry}/${repository}:${tag}@${result.manifestDigest}`,
      contentDigest: result.layer.digest,
      id: result.manifestDigest.toString(),
    };
  }
}
