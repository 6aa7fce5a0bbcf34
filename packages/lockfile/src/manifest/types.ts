import type { VersionReq } from "@wasm-pkg/common";

export const MANIFEST_FILE_NAME = "wkg.toml";

/** `[overrides]."ns:name"`: use a local directory/file (`path`) or another requirement (`version`). */
export interface Override {
  path?: string;
  version?: VersionReq;
}

/**
 * `[metadata]`, in its current (upstream HEAD) shape. Older files (`authors = [..]`, `license`,
 * `repository`) are read into it.
 */
export interface PackageMetadata {
  authors?: string;
  description?: string;
  licenses?: string;
  source?: string;
  homepage?: string;
  revision?: string;
}

export interface WorkspaceConfig {
  /** Member directories, relative to the root; `*`, `?`, `[...]` and `**` globs allowed. */
  members: string[];
  metadata?: PackageMetadata;
}

export interface Manifest {
  overrides: Record<string, Override>;
  metadata?: PackageMetadata;
  workspace?: WorkspaceConfig;
  /**
   * `default_registry`, `[namespace_registries]`, `[package_registry_overrides]` and
   * `[registry."<name>"]`, as written (config.toml's shapes); `@wasm-pkg/config` validates them.
   */
  registries?: Record<string, unknown>;
  /**
   * A member's `[workspace] root = "<path>"` (upstream's member form): its workspace root, the
   * directory of the root `wkg.toml` or that file, relative to this manifest's directory.
   */
  workspaceRoot?: string;
  /** Notes about accepted-but-ignored input (old keys, empty overrides), for the CLI to show. */
  warnings: string[];
}

export function emptyManifest(): Manifest {
  return { overrides: {}, warnings: [] };
}
