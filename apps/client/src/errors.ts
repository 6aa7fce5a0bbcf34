import { WkgError } from "@wasm-pkg/common";

export function offlineMiss(what: string, registry: string, cacheLocation: string | undefined): WkgError {
  const where = cacheLocation ? `the cache at ${cacheLocation}` : "the cache (caching is disabled)";
  return new WkgError("OFFLINE", `offline: ${what} from registry ${registry} is not in ${where}`, {
    hint: cacheLocation
      ? "run the same command without --offline once to download it, or point --cache / WKG_CACHE_DIR at a cache that has it"
      : "offline mode needs a cache; enable one (--cache / WKG_CACHE_DIR) and fetch once online",
    details: { registry, ...(cacheLocation ? { cache: cacheLocation } : {}) },
  });
}
