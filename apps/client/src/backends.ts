import { join } from "node:path";
import type { BackendFactory } from "@wasm-pkg/common";
import { describeComponent } from "./wit-inspector.js";

/**
 * A factory whose package is imported the first time a backend of its protocol is created:
 * a run served from the cache, or one that only talks OCI, never loads the Warg client (or
 * the HTTP stack), which keeps `wkg get` and `wkg fetch` quick to start.
 */
function lazy(protocol: string, load: () => Promise<BackendFactory>): BackendFactory {
  let loading: Promise<BackendFactory> | undefined;
  return {
    protocol,
    async create(ctx) {
      loading ??= load();
      return (await loading).create(ctx);
    },
  };
}

/**
 * The protocols a client knows unless told otherwise; `createClient({ backends })` adds to
 * (or replaces entries of) this map. A new protocol is one entry here.
 */
export const defaultBackends: Readonly<Record<string, BackendFactory>> = Object.freeze({
  local: lazy("local", async () => (await import("@wasm-pkg/local-backend")).localBackend),
  // The config blob lists a component's imports and exports, read with the WIT toolchain.
  oci: lazy("oci", async () => (await import("@wasm-pkg/oci-backend")).createOciBackendFactory({ describe: describeComponent })),
  warg: lazy("warg", async () => (await import("@wasm-pkg/warg-backend")).wargBackend),
});

/**
 * The defaults for a client whose cache lives in `cacheDir`: Warg's trust state (the last
 * verified checkpoint per registry) is kept beside it, so `--cache`/`WKG_CACHE_DIR` isolate a
 * run completely; without a cache it stays in Warg's own default location.
 */
export function backendsFor(cacheDir: string | undefined): Record<string, BackendFactory> {
  if (!cacheDir) return { ...defaultBackends };
  const stateDir = join(cacheDir, "warg");
  return { ...defaultBackends, warg: lazy("warg", async () => (await import("@wasm-pkg/warg-backend")).wargBackendWith({ stateDir })) };
}
