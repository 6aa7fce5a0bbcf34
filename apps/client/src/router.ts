import type { Backend, BackendFactory, Logger, PackageRef, TransportDefaults } from "@wasm-pkg/common";
import { WkgError } from "@wasm-pkg/common";
import { type Config, type RegistryMapping, defaultBackend, registryConfig, resolveRegistry } from "@wasm-pkg/config";
import type { HttpClient } from "@wasm-pkg/http";
import type { RegistryMetadata } from "@wasm-pkg/metadata";

export interface RouterOptions {
  config: Config;
  backends: Record<string, BackendFactory>;
  logger: Logger;
  transport: TransportDefaults;
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths in the config are resolved against (the config file's), unless a table says otherwise (`dirs`). */
  configDir: string;
}

/** Where a package's requests go. */
export interface Route {
  registry: string;
  protocol: string;
  backend: Backend;
}

/**
 * Upstream's `resolve_source`, with its pitfalls fixed:
 * registry = explicit override > package override > namespace mapping > default registry > built-in;
 * metadata = the mapping's inline metadata when the mapping names the registry in use (never a
 * mapping for another registry, §14.15) > nothing for a configured local registry > the fetched
 * `.well-known` document; protocol = configured default > metadata's preference (never `local`) > `oci`.
 * One backend is kept per (registry, protocol, protocol metadata), not per registry name only,
 * so two mappings with different inline metadata for one registry name do not share the first
 * one's backend (§14.14).
 */
export class Router {
  private readonly backends = new Map<string, Promise<Backend>>();
  private readonly metadata = new Map<string, Promise<RegistryMetadata>>();
  private readonly announced = new Set<string>();
  private http: HttpClient | undefined;

  constructor(private readonly options: RouterOptions) {}

  /** The registry a package resolves to, honouring an explicit override (`--registry`). */
  registryFor(pkg: PackageRef, override?: string): { registry: string; mapping?: RegistryMapping } {
    if (override !== undefined) {
      const configured = tryResolve(this.options.config, pkg);
      // A mapping's inline metadata only describes the registry it names.
      if (configured && sameRegistry(override, configured.registry) && configured.mapping) {
        return { registry: configured.registry, mapping: configured.mapping };
      }
      return { registry: override };
    }
    const resolved = resolveRegistry(this.options.config, pkg);
    return { registry: resolved.registry, ...(resolved.mapping ? { mapping: resolved.mapping } : {}) };
  }

  /** `default` (or the only backend table) of `[registry."<r>"]`, which needs no network to know. */
  configuredProtocol(registry: string): string | undefined {
    return defaultBackend(registryConfig(this.options.config, registry));
  }

  async route(pkg: PackageRef, override?: string, signal?: AbortSignal): Promise<Route> {
    const resolution = this.registryFor(pkg, override);
    const { registry, mapping } = resolution;
    const configured = this.configuredProtocol(registry);
    const metadata = await this.metadataFor(registry, mapping, configured, signal);
    const protocol = configured ?? (await import("@wasm-pkg/metadata")).pickProtocol(undefined, metadata, registry);
    const protocolMetadata = metadata.protocols[protocol];
    const key = `${registry.toLowerCase()}\u0000${protocol}\u0000${JSON.stringify(protocolMetadata ?? null)}`;
    let backend = this.backends.get(key);
    if (!backend) {
      backend = this.create(registry, protocol, protocolMetadata);
      this.backends.set(key, backend);
      backend.catch(() => this.backends.delete(key));
    }
    const announce = `${pkg}\u0000${key}`;
    if (!this.announced.has(announce)) {
      this.announced.add(announce);
      this.options.logger({ type: "resolve", package: pkg.toString(), registry, protocol });
    }
    return { registry, protocol, backend: await backend };
  }

  private async create(registry: string, protocol: string, protocolMetadata: unknown): Promise<Backend> {
    const factory = this.options.backends[protocol];
    if (!factory) {
      const known = Object.keys(this.options.backends).sort();
      throw new WkgError("UNKNOWN_BACKEND", `unknown backend type "${protocol}" for registry ${registry}`, {
        hint: `this client can talk ${known.length ? known.join(", ") : "no protocol"}; set [registry."${registry}"] default = "<protocol>" in your config, or register a backend with createClient({ backends: { ${protocol}: factory } })`,
        details: { registry, protocol, known },
      });
    }
    const rc = registryConfig(this.options.config, registry);
    return await factory.create({
      registry,
      backendConfig: rc.backends[protocol],
      protocolMetadata,
      logger: this.options.logger,
      transport: this.options.transport,
      env: this.options.env,
      // A table from a project's wkg.toml is relative to that file, not to the user's config.
      cwd: rc.dirs?.[protocol] ?? this.options.configDir,
    });
  }

  private metadataFor(
    registry: string,
    mapping: RegistryMapping | undefined,
    configured: string | undefined,
    signal?: AbortSignal,
  ): Promise<RegistryMetadata> {
    if (mapping?.metadata && sameRegistry(mapping.registry, registry)) {
      const inline = mapping.metadata;
      return import("@wasm-pkg/metadata").then((m) =>
        m.parseRegistryMetadata(inline, `the inline metadata for ${registry} in your config`),
      );
    }
    // A local directory has no `.well-known` document to ask for.
    if (configured === "local") return Promise.resolve({ protocols: {} });
    const key = registry.toLowerCase();
    let pending = this.metadata.get(key);
    if (!pending) {
      pending = this.fetchMetadata(registry, signal);
      this.metadata.set(key, pending);
      pending.catch(() => this.metadata.delete(key));
    }
    return pending;
  }

  private async fetchMetadata(registry: string, signal?: AbortSignal): Promise<RegistryMetadata> {
    const [{ fetchRegistryMetadata }, { createHttpClient }] = await Promise.all([import("@wasm-pkg/metadata"), import("@wasm-pkg/http")]);
    const { transport, logger } = this.options;
    this.http ??= createHttpClient({
      logger,
      ...(transport.timeoutMs === undefined ? {} : { timeoutMs: transport.timeoutMs }),
      ...(transport.retries === undefined ? {} : { retries: transport.retries }),
      ...(transport.userAgent === undefined ? {} : { userAgent: transport.userAgent }),
      ...(transport.dispatcher === undefined ? {} : { dispatcher: transport.dispatcher as never }),
    });
    const fetched = await fetchRegistryMetadata(registry, {
      http: this.http,
      logger,
      ...(transport.timeoutMs === undefined ? {} : { timeoutMs: transport.timeoutMs }),
      ...(signal ? { signal } : {}),
    });
    return fetched.metadata;
  }

  async close(): Promise<void> {
    const backends = await Promise.allSettled(this.backends.values());
    for (const b of backends) {
      const close = b.status === "fulfilled" ? (b.value as { close?: () => unknown }).close : undefined;
      if (typeof close === "function") await Promise.resolve(close.call(b.status === "fulfilled" ? b.value : undefined)).catch(() => {});
    }
    await this.http?.close();
    this.http = undefined;
  }
}

function tryResolve(config: Config, pkg: PackageRef) {
  try {
    return resolveRegistry(config, pkg);
  } catch {
    return undefined;
  }
}

export function sameRegistry(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
