import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `<config dir>/wasm-pkg/config.toml`: `%APPDATA%` on Windows; elsewhere (macOS included, as
 * upstream's XDG strategy) `$XDG_CONFIG_HOME` when absolute, else `~/.config`.
 */
export function globalConfigPath(env: Env = process.env, platform = process.platform): string | undefined {
  if (platform === "win32") return env.APPDATA ? join(env.APPDATA, "wasm-pkg", "config.toml") : undefined;
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "wasm-pkg", "config.toml");
  const home = env.HOME ?? safeHomedir();
  return home ? join(home, ".config", "wasm-pkg", "config.toml") : undefined;
}

/** `<cache dir>/wasm-pkg`: `%LOCALAPPDATA%` on Windows; `$XDG_CACHE_HOME` when absolute, else `~/.cache`. */
export function globalCacheDir(env: Env = process.env, platform = process.platform): string | undefined {
  if (platform === "win32") return env.LOCALAPPDATA ? join(env.LOCALAPPDATA, "wasm-pkg") : undefined;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "wasm-pkg");
  const home = env.HOME ?? safeHomedir();
  return home ? join(home, ".cache", "wasm-pkg") : undefined;
}

function safeHomedir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}
