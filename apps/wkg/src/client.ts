import { dirname, resolve } from "node:path";
import type { WkgClient } from "@wasm-pkg/client";
import { Registry } from "@wasm-pkg/common";
import { globalCacheDir } from "@wasm-pkg/config";
import type { CommandArgs } from "./cli/spec.js";
import { timeoutFlag } from "./cli/timeout.js";
import type { Context } from "./context.js";

/**
 * The client every fetching or publishing command uses, built from the context and the shared
 * flags: --config / WKG_CONFIG_FILE (relative paths inside it are relative to the file),
 * --cache / WKG_CACHE_DIR (default `<XDG cache>/wasm-pkg`), --offline, --timeout / WKG_HTTP_TIMEOUT,
 * and the reporter as logger.
 * Callers close it when done, so idle connections do not hold the process open.
 */
export async function clientFor(ctx: Context, args: CommandArgs): Promise<WkgClient> {
  const loaded = await ctx.loadConfig(args);
  const { createClient } = await import("@wasm-pkg/client");
  const cacheFlag = typeof args.values.cache === "string" && args.values.cache !== "" ? args.values.cache : undefined;
  const cache = cacheFlag ? resolve(ctx.io.cwd, cacheFlag) : globalCacheDir(ctx.io.env);
  if (!cache) ctx.reporter.warn("no cache directory (HOME is not set); caching is off", "pass --cache <dir> or set WKG_CACHE_DIR");
  const file = loaded.layers.filter((l) => l.kind === "file").at(-1);
  const timeoutMs = timeoutFlag(args);
  return createClient({
    config: loaded.config,
    configDir: file?.kind === "file" ? dirname(resolve(ctx.io.cwd, file.path)) : ctx.io.cwd,
    cache: cache ?? false,
    offline: args.values.offline === true,
    logger: ctx.reporter.logger,
    env: ctx.io.env,
    ...(timeoutMs === undefined ? {} : { transport: { timeoutMs } }),
    ...(ctx.io.backends ? { backends: ctx.io.backends } : {}),
    // The client defaults to the bundled WIT decoder; embedders and tests may swap or drop it.
    ...(ctx.io.inspector !== undefined ? { inspector: ctx.io.inspector } : {}),
  });
}

/** `--registry` / `WKG_REGISTRY`, validated. */
export function registryFlag(args: CommandArgs): string | undefined {
  const value = args.values.registry;
  if (typeof value !== "string" || value === "") return undefined;
  return Registry.parse(value).toString();
}
