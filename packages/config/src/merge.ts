import type { Config, RegistryConfig } from "./types.js";

/**
 * Merge `layer` over `base` as upstream's `Config::merge`: `default_registry` is replaced,
 * mappings are extended per key, and a registry's backend tables are merged shallowly by key.
 * A backend table's directory for relative paths is the last layer's that set any key in it.
 */
export function mergeConfig(base: Config, layer: Config): Config {
  const registries: Record<string, RegistryConfig> = { ...base.registries };
  for (const [name, rc] of Object.entries(layer.registries)) {
    const prev = registries[name];
    if (!prev) {
      registries[name] = { ...rc, backends: { ...rc.backends }, ...(rc.dirs ? { dirs: { ...rc.dirs } } : {}) };
      continue;
    }
    const backends = { ...prev.backends };
    const dirs = { ...prev.dirs };
    for (const [backend, table] of Object.entries(rc.backends)) {
      backends[backend] = { ...backends[backend], ...table };
      if (!Object.keys(table).length) continue;
      const dir = rc.dirs?.[backend];
      if (dir === undefined) delete dirs[backend];
      else dirs[backend] = dir;
    }
    const merged: RegistryConfig = { backends };
    const def = rc.default ?? prev.default;
    if (def !== undefined) merged.default = def;
    if (Object.keys(dirs).length) merged.dirs = dirs;
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
