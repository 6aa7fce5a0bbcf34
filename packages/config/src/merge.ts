import type { Config, RegistryConfig } from "./types.js";

/**
 * Merge `layer` over `base` as upstream's `Config::merge`: `default_registry` is replaced,
 * mappings are extended per key, and a registry's backend tables are merged shallowly by key.
 */
export function mergeConfig(base: Config, layer: Config): Config {
  const registries: Record<string, RegistryConfig> = { ...base.registries };
  for (const [name, rc] of Object.entries(layer.registries)) {
    const prev = registries[name];
    if (!prev) {
      registries[name] = { ...rc, backends: { ...rc.backends } };
      continue;
    }
    const backends = { ...prev.backends };
    for (const [backend, table] of Object.entries(rc.backends)) backends[backend] = { ...backends[backend], ...table };
    const merged: RegistryConfig = { backends };
    const def = rc.default ?? prev.default;
    if (def !== undefined) merged.default = def;
    registries[name] = merged;
  }
  const out: Config = {
    namespaceRegistries: { ...base.namespaceRegistries, ...layer.namespaceRegistries },
    packageRegistryOverrides: { ...base.packageRegistryOverrides, ...layer.packageRegistryOverrides },
    registries,
    fallbacks: { ...base.fallbacks, ...layer.fallbacks },
  };
  const defaultRegistry = layer.defaultRegistry ?? base.defaultRegistry;
  if (defaultRegistry !== undefined) out.defaultRegistry = defaultRegistry;
  return out;
}
