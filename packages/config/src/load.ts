import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { WkgError, registerSecret } from "@wasm-pkg/common";
import { builtinConfig } from "./defaults.js";
import { mergeConfig } from "./merge.js";
import { type ParsedConfig, parseConfig } from "./parse.js";
import { parseProjectConfig } from "./project.js";
import { SECRET_KEYS } from "./secrets.js";
import { globalConfigPath } from "./paths.js";
import type { Config, ConfigSource, LoadedConfig } from "./types.js";

export interface LoadConfigOptions {
  /** `--config`; falls back to `WKG_CONFIG_FILE`, then the global file. */
  configFile?: string;
  env?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  /**
   * A project's `wkg.toml`: its registry tables are layered over the user's config (the file
   * must exist). Relative paths in its backend tables are relative to it.
   */
  projectFile?: string;
}

/**
 * Load the effective config: built-in namespace fallbacks, then exactly one user file — the
 * `--config`/`WKG_CONFIG_FILE` file when given (it must exist), else the global file if it
 * exists — then the project's `wkg.toml` registry tables, when given. Unlike upstream, an
 * explicit file keeps the built-in `wasi`/`ba` fallbacks: they only apply after everything the
 * files say, so they can never override them, and a file written for one machine keeps
 * resolving `wasi:*` on another.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const explicit = options.configFile ?? (env.WKG_CONFIG_FILE || undefined);
  const path = explicit ?? globalConfigPath(env, options.platform);
  const builtin: ConfigSource = { kind: "built-in" };
  const loaded: LoadedConfig = { config: builtinConfig(), sources: {}, layers: [builtin], shadowed: {}, path };
  for (const ns of Object.keys(loaded.config.fallbacks)) loaded.sources[`fallbacks.${ns}`] = builtin;

  if (path) {
    const text = await readConfigText(path, explicit !== undefined);
    if (text !== undefined) applyLayer(loaded, parseConfig(text, path), { kind: "file", path });
  }
  if (options.projectFile) {
    const file = options.projectFile;
    const text = await readConfigText(file, true, "the project's wkg.toml is read from the current directory or the nearest parent");
    const parsed = parseProjectConfig(text as string, file);
    if (parsed.keys.length) {
      for (const rc of Object.values(parsed.config.registries)) {
        for (const [backend, table] of Object.entries(rc.backends)) {
          if (Object.keys(table).length) rc.dirs = { ...rc.dirs, [backend]: dirname(resolve(file)) };
        }
      }
      applyLayer(loaded, parsed, { kind: "project", path: file });
    }
  }
  return loaded;
}

/** Merge one layer over the loaded config, recording where each key now comes from. */
function applyLayer(loaded: LoadedConfig, parsed: ParsedConfig, source: ConfigSource): void {
  for (const key of parsed.keys) {
    const previous = loaded.sources[key];
    if (previous && previous !== source) loaded.shadowed[key] = [...(loaded.shadowed[key] ?? []), previous];
    loaded.sources[key] = source;
  }
  loaded.layers.push(source);
  registerConfigSecrets(parsed.config);
  loaded.config = mergeConfig(loaded.config, parsed.config);
}

async function readConfigText(path: string, required: boolean, hint?: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !required) return undefined;
    if (code === "ENOENT") {
      throw new WkgError("CONFIG_IO", `config file ${path} does not exist`, {
        hint: hint ?? "create it with `wkg config --edit`, or unset --config / WKG_CONFIG_FILE",
      });
    }
    throw new WkgError("CONFIG_IO", `error reading config file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

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
