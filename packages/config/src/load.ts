import { readFile } from "node:fs/promises";
import { WkgError, registerSecret } from "@wasm-pkg/common";
import { builtinConfig } from "./defaults.js";
import { mergeConfig } from "./merge.js";
import { parseConfig } from "./parse.js";
import { globalConfigPath } from "./paths.js";
import type { Config, ConfigSource, LoadedConfig } from "./types.js";

export interface LoadConfigOptions {
  /** `--config`; falls back to `WKG_CONFIG_FILE`, then the global file. */
  configFile?: string;
  env?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
}

/**
 * Load the effective config: built-in namespace fallbacks, then exactly one file — the
 * `--config`/`WKG_CONFIG_FILE` file when given (it must exist), else the global file if it
 * exists. Unlike upstream, an explicit file keeps the built-in `wasi`/`ba` fallbacks: they
 * only apply after everything the file says, so they can never override it, and a file
 * written for one machine keeps resolving `wasi:*` on another.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const explicit = options.configFile ?? (env.WKG_CONFIG_FILE || undefined);
  const path = explicit ?? globalConfigPath(env, options.platform);
  const builtin: ConfigSource = { kind: "built-in" };
  let config = builtinConfig();
  const sources: Record<string, ConfigSource> = {};
  for (const ns of Object.keys(config.fallbacks)) sources[`fallbacks.${ns}`] = builtin;
  const layers: ConfigSource[] = [builtin];

  if (path) {
    const text = await readConfigText(path, explicit !== undefined);
    if (text !== undefined) {
      const parsed = parseConfig(text, path);
      const source: ConfigSource = { kind: "file", path };
      for (const key of parsed.keys) sources[key] = source;
      layers.push(source);
      registerConfigSecrets(parsed.config);
      config = mergeConfig(config, parsed.config);
    }
  }
  return { config, sources, layers, path };
}

async function readConfigText(path: string, required: boolean): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !required) return undefined;
    if (code === "ENOENT") {
      throw new WkgError("CONFIG_IO", `config file ${path} does not exist`, {
        hint: "create it with `wkg config --edit`, or unset --config / WKG_CONFIG_FILE",
      });
    }
    throw new WkgError("CONFIG_IO", `error reading config file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

const SECRET_KEYS = new Set(["password", "auth", "auth_token", "token", "signing_key", "identitytoken"]);

/** Hand every configured credential to the redactor, so no message can leak it. */
export function registerConfigSecrets(config: Config): void {
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === "string") {
      if (key && SECRET_KEYS.has(key)) registerSecret(value);
      return;
    }
    if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  for (const rc of Object.values(config.registries)) visit(rc.backends);
}

/** True when a config holds credentials, so its file must be private (mode 0600). */
export function hasCredentials(config: Config): boolean {
  let found = false;
  const visit = (value: unknown, key?: string): void => {
    if (found) return;
    if (key && SECRET_KEYS.has(key) && value !== undefined) found = true;
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  for (const rc of Object.values(config.registries)) visit(rc.backends);
  return found;
}
