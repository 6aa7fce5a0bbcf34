import type { BackendFactory } from "@wasm-pkg/common";
import { localBackend } from "@wasm-pkg/local-backend";

/**
 * The protocols a client knows unless told otherwise; `createClient({ backends })` adds to
 * (or replaces entries of) this map. A new protocol is one entry here, e.g. `oci: ociBackend`
 * from `@wasm-pkg/oci-backend` and `warg: wargBackend` from `@wasm-pkg/warg-backend`.
 */
export const defaultBackends: Readonly<Record<string, BackendFactory>> = Object.freeze({
  local: localBackend,
});
