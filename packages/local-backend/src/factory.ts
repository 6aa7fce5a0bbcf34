import type { BackendFactory } from "@wasm-pkg/common";
import { parseLocalConfig } from "./config.js";
import { LocalBackend } from "./local-backend.js";

/**
 * The `local` protocol for `createClient({ backends })`. Its config is
 * `[registry."<name>".local] root = "<dir>"`; registry metadata may never select it.
 */
export const localBackend: BackendFactory = {
  protocol: "local",
  create(ctx) {
    const { root } = parseLocalConfig(ctx.backendConfig, ctx.cwd, ctx.registry);
    return new LocalBackend({ root, logger: ctx.logger });
  },
};
