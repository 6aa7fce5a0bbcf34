import { COMMON_OPTIONS, type CommandSpec } from "./spec.js";

/**
 * Every command, declared without loading its code: help renders from here and each
 * command's module is imported only when it runs, so start-up stays fast.
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "config",
    summary: "Show or change the wkg configuration",
    description:
      "Without flags, prints the default registry. The file is --config / WKG_CONFIG_FILE, else\n" +
      "$XDG_CONFIG_HOME/wasm-pkg/config.toml (~/.config/wasm-pkg/config.toml; %APPDATA% on Windows).",
    options: {
      "default-registry": {
        type: "string",
        valueName: "<REGISTRY>",
        description: "Set the default registry (keeps the rest of the file as it is)",
      },
      edit: {
        type: "boolean",
        short: "e",
        description: "Open the config file in $EDITOR (created from a commented template if missing)",
        conflicts: ["show"],
      },
      show: { type: "boolean", description: "Print the effective configuration and where each value comes from" },
      ...COMMON_OPTIONS,
    },
    load: () => import("../commands/config.js"),
    examples: ["wkg config --default-registry localhost:5000", "wkg config --show", "wkg config --edit"],
  },
];
