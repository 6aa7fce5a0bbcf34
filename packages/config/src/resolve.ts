import { type PackageRef, WkgError } from "@wasm-pkg/common";
import type { Config, RegistryConfig, RegistryMapping } from "./types.js";

export type RegistrySource = "package override" | "namespace" | "default registry" | "built-in";

export interface ResolvedRegistry {
  registry: string;
  /** The mapping that chose it; carries inline metadata when it is a custom mapping. */
  mapping?: RegistryMapping;
  source: RegistrySource;
}

/**
 * The registry for a package, first match wins: package override > namespace mapping >
 * `default_registry` > built-in fallback. Throws NO_REGISTRY_FOR_NAMESPACE otherwise.
 */
export function resolveRegistry(config: Config, pkg: PackageRef): ResolvedRegistry {
  const override = config.packageRegistryOverrides[pkg.toString()];
  if (override) return { registry: override.registry, mapping: override, source: "package override" };
  const namespace = config.namespaceRegistries[pkg.namespace];
  if (namespace) return { registry: namespace.registry, mapping: namespace, source: "namespace" };
  if (config.defaultRegistry) return { registry: config.defaultRegistry, source: "default registry" };
  const fallback = config.fallbacks[pkg.namespace];
  if (fallback) return { registry: fallback, source: "built-in" };
  throw new WkgError("NO_REGISTRY_FOR_NAMESPACE", `no registry configured for namespace "${pkg.namespace}"`, {
    hint: `map it with \`wkg config --edit\` ([namespace_registries] ${pkg.namespace} = "<registry>"), set a default with \`wkg config --default-registry <registry>\`, or pass --registry`,
  });
}

export function registryConfig(config: Config, registry: string): RegistryConfig {
  return config.registries[registry.toLowerCase()] ?? { backends: {} };
}

/** `default` if set, else the only configured backend table, else undefined (metadata decides). */
export function defaultBackend(rc: RegistryConfig): string | undefined {
  if (rc.default) return rc.default;
  const names = Object.keys(rc.backends);
  return names.length === 1 ? names[0] : undefined;
}
