import { stringify } from "smol-toml";

/**
 * The config.toml tables a `wkg.toml` may also hold, so a project names its own registries
 * (upstream #203). The manifest keeps them as written: `@wasm-pkg/config` validates them
 * (`parseProjectConfig`, which refuses credentials) when it layers them over the user's config.
 */
export const REGISTRY_KEYS: readonly string[] = ["default_registry", "namespace_registries", "package_registry_overrides", "registry"];

/** The registry tables of a parsed `wkg.toml` document, or undefined when it has none. */
export function pickRegistryTables(doc: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key of REGISTRY_KEYS) if (doc[key] !== undefined) out[key] = doc[key];
  return Object.keys(out).length ? out : undefined;
}

/** The registry tables back as TOML, so rewriting a manifest never drops them. */
export function serializeRegistryTables(tables: Record<string, unknown>): string {
  return stringify(tables);
}
