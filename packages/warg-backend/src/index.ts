export { createWargBackend, wargBackend, wargBackendWith } from "./backend.js";
export type { WargBackend, WargBackendOptions } from "./backend.js";
export {
  defaultStateDir,
  loadWargClientConfig,
  normalizeWargUrl,
  parseWargClientConfig,
  parseWargSettings,
  registryUrl,
  wargConfigDir,
} from "./config.js";
export type { WargClientConfig, WargSettings } from "./config.js";
export { TrustStore, safeLabel } from "./trust-store.js";
export type { LogHead, TrustState } from "./trust-store.js";
