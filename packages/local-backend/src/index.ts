export { localBackend } from "./factory.js";
export { LocalBackend } from "./local-backend.js";
export type { LocalBackendOptions } from "./local-backend.js";
export { parseLocalConfig } from "./config.js";
export type { LocalConfig } from "./config.js";
