import type { LoadedConfig } from "@wasm-pkg/config";
import type { CommandArgs } from "./cli/spec.js";
import type { Io } from "./io.js";
import type { Reporter } from "./render/reporter.js";
import type { Style } from "./render/style.js";

/** What every command gets: its process, how to report, and the global flags. */
export interface Context {
  io: Io;
  reporter: Reporter;
  style: Style;
  json: boolean;
  verbosity: number;
  signal: AbortSignal;
  /** Loads config per --config / WKG_CONFIG_FILE, with the project's wkg.toml registry tables over it (memoised). */
  loadConfig(args: CommandArgs): Promise<LoadedConfig>;
}

export function createContext(io: Io, reporter: Reporter, style: Style, json: boolean, verbosity: number): Context {
  let loaded: Promise<LoadedConfig> | undefined;
  return {
    io,
    reporter,
    style,
    json,
    verbosity,
    signal: io.signal ?? new AbortController().signal,
    loadConfig(args) {
      loaded ??= (async () => {
        // Imported lazily, as the commands are, so `wkg --version` stays fast.
        const [{ loadConfig }, { projectConfigFile }] = await Promise.all([import("@wasm-pkg/config"), import("./project-config.js")]);
        const configFile = typeof args.values.config === "string" ? args.values.config : undefined;
        const projectFile = await projectConfigFile(io.cwd);
        return loadConfig({ env: io.env, ...(configFile ? { configFile } : {}), ...(projectFile ? { projectFile } : {}) });
      })();
      return loaded;
    },
  };
}
