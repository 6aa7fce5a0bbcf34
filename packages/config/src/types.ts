/**
 * Where a config value came from, so `wkg config --show` can say. In precedence order, first
 * wins: a command-line flag, the environment, a project's `wkg.toml`, the user's config file,
 * the built-ins. (`override` is an embedder's own label.)
 */
export type ConfigSource =
  | { kind: "built-in" }
  | { kind: "file"; path: string }
  | { kind: "project"; path: string }
  | { kind: "env"; name: string }
  | { kind: "flag"; name: string }
  | { kind: "override"; what: string };

/**
 * How a namespace or package maps to a registry: a plain registry name, or a "custom"
 * mapping with inline registry metadata that replaces the `.well-known` fetch.
 */
export interface RegistryMapping {
  registry: string;
  /** Inline `registry.json` content (camelCase keys), when the mapping is custom. */
  metadata?: Record<string, unknown>;
}

/** `[registry."<name>"]`: the default backend and each backend's table, unparsed. */
export interface RegistryConfig {
  /** `default` (or legacy `type`): which backend this registry uses. */
  default?: string;
  /** `[registry."<name>".<backend>]` tables; each backend validates its own. */
  backends: Record<string, Record<string, unknown>>;
  /**
   * Per backend, the directory its relative paths resolve against when it is not the user's
   * config file's: a table from a project's `wkg.toml` is relative to that file.
   */
  dirs?: Record<string, string>;
}

export interface Config {
  defaultRegistry?: string;
  namespaceRegistries: Record<string, RegistryMapping>;
  packageRegistryOverrides: Record<string, RegistryMapping>;
  registries: Record<string, RegistryConfig>;
  /** Hard-coded namespace fallbacks (`wasi`, `ba`), consulted after `default_registry`. */
  fallbacks: Record<string, string>;
}

/** A config plus, per dotted key, the layer that set it. */
export interface LoadedConfig {
  config: Config;
  /** Keys like `default_registry`, `namespace_registries.wasi`, `registry."x".oci.auth`. */
  sources: Record<string, ConfigSource>;
  /** Layers applied, in order (the last wins). */
  layers: ConfigSource[];
  /** Per key that several layers set, the lower layers whose value it replaced (lowest first). */
  shadowed: Record<string, ConfigSource[]>;
  /** The file `wkg config` edits: `--config`/`WKG_CONFIG_FILE`, else the global path. */
  path: string | undefined;
}

export function emptyConfig(): Config {
  return { namespaceRegistries: {}, packageRegistryOverrides: {}, registries: {}, fallbacks: {} };
}
