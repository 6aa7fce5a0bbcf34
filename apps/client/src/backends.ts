import { join } from "node:path";
import type { BackendFactory } from "@wasm-pkg/common";
import { localBackend } from "@wasm-pkg/local-backend";
import { createOciBackendFactory } from "@wasm-pkg/oci-backend";
import { wargBackend, wargBackendWith } from "@wasm-pkg/warg-backend";
import { describeComponent } from "./wit-inspector.js";

/**
 * The protocols a client knows unless told otherwise; `createClient({ backends })` adds to
 * (or replaces entries of) this map. A new protocol is one entry here.
 */
export const defaultBackends: Readonly<Record<string, BackendFactory>> = Object.freeze({
  local: localBackend,
  // The config blob lists a component's imports and exports, read with the WIT toolchain.
  oci: createOciBackendFactory({ describe: describeComponent }),
  warg: wargBackend,
});

/**
 * The defaults for a client whose cache lives in `cacheDir`: Warg's trust state (the last
 * verified checkpoint per registry) is kept beside it, so `--cache`/`WKG_CACHE_DIR` isolate a
 * run completely; without a cache it stays in Warg's own default location.
 */
export function backendsFor(cacheDir: string | undefined): Record<string, BackendFactory> {
  return cacheDir ? { ...defaultBackends, warg: wargBackendWith({ stateDir: join(cacheDir, "warg") }) } : { ...defaultBackends };
}
