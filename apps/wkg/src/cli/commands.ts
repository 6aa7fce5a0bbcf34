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
  {
    name: "inspect",
    summary: "Show what a .wasm file or WIT directory holds",
    description:
      "For a WIT package (.wasm): its name, version, interfaces, worlds, dependencies and metadata.\n" +
      "For a component: its imports, exports and metadata. For a WIT directory (with deps/) or a\n" +
      ".wit file: parses and resolves it and shows the package, or the error (exit status 1).",
    positionals: [{ name: "PATH", description: "A .wasm file, a .wit file or a WIT directory", required: true }],
    options: {
      wit: { type: "boolean", description: "Print the package as WIT text (as `wasm-tools component wit` does)" },
    },
    load: () => import("../commands/inspect.js"),
    examples: ["wkg inspect component.wasm", "wkg inspect wit/", "wkg inspect pkg.wasm --wit", "wkg inspect pkg.wasm --json"],
  },
];
