import type { CommandSpec } from "./spec.js";

/** The shells `wkg completions` writes scripts for. */
export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
export type Shell = (typeof SHELLS)[number];

/** `wkg completions`: declared here, loaded only when run. */
export const COMPLETIONS: CommandSpec = {
  name: "completions",
  summary: "Print a shell completion script (bash, zsh, fish, powershell)",
  description:
    "The script completes commands, subcommands, flags and flag values such as --format, all\n" +
    "generated from wkg's own command table. Install it once (see the examples) and open a new shell.",
  positionals: [{ name: "SHELL", required: true, choices: SHELLS, description: "bash, zsh, fish or powershell" }],
  load: () => import("../commands/completions.js"),
  examples: [
    "wkg completions bash > ~/.local/share/bash-completion/completions/wkg",
    "wkg completions zsh > ~/.zfunc/_wkg   # with fpath+=(~/.zfunc) before compinit in ~/.zshrc",
    "wkg completions fish > ~/.config/fish/completions/wkg.fish",
    "wkg completions powershell >> $PROFILE",
  ],
};
