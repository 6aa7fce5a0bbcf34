import type { Cache } from "@wasm-pkg/cache";
import type { BackendFactory, CallOptions, Logger, TransportDefaults } from "@wasm-pkg/common";
import type { Config, LoadedConfig } from "@wasm-pkg/config";
import type { WasmInspector } from "./inspector.js";

export interface ClientOptions {
  /** A config (`parseConfig`) or a loaded one (`loadConfig`), whose file's directory anchors relative paths. */
  config: Config | LoadedConfig;
  /** Directory relative config paths (a local registry's `root`) resolve against; default: the config file's directory, else the cwd. */
  configDir?: string;
  /**
   * A `Cache`, a cache directory, or `false` for none. Default: `<XDG cache>/wasm-pkg`
   * (`WKG_CACHE_DIR` is the CLI's business; pass it here as a directory).
   */
  cache?: Cache | string | false;
  /** Timeouts, retries, user agent, and an undici dispatcher for every network request. */
  transport?: TransportDefaults;
  /** Receives typed events (requests, retries, cache hits, progress, warnings); default: none. */
  logger?: Logger;
  /** Use only the cache (and local-directory registries); never contact a registry. */
  offline?: boolean;
  /** Protocols by name, merged over the built-in ones (`local`, plus `oci`/`warg` once bundled). */
  backends?: Record<string, BackendFactory | undefined>;
  /**
   * Reads the inside of wasm binaries (package identity for publish, WIT text, metadata, the
   * semver gate). Default: `witInspector` from `@wasm-pkg/wit`, loaded on first use; `null`
   * turns it off (publish then needs an explicit package and the semver gate is skipped).
   */
  inspector?: WasmInspector | null;
  /** Environment for credentials and switches; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ClientCallOptions extends CallOptions {
  /** Use this registry instead of the one the config resolves (`--registry`). */
  registry?: string;
}

export interface SelectOptions extends ClientCallOptions {
  /** Let pre-releases match (and win "latest"); off by default. */
  includePrerelease?: boolean;
}

export interface FetchToFileOptions extends ClientCallOptions {
  /** File mode for the new file. */
  mode?: number;
}

export interface FetchedFile {
  path: string;
  digest: string;
  size: number;
  /** True when the bytes came from the cache without a download. */
  fromCache: boolean;
}
