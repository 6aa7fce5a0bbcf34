import type { CommandSpec } from "../cli/spec.js";
import { bashScript } from "./bash.js";
import { fishScript } from "./fish.js";
import { completionModel } from "./model.js";
import { powershellScript } from "./powershell.js";
import type { Shell } from "../cli/commands-shell.js";
import { zshScript } from "./zsh.js";

/** The completion script for `shell`, generated from `commands`. */
export function completionScript(shell: Shell, commands: readonly CommandSpec[]): string {
  const nodes = completionModel(commands);
  switch (shell) {
    case "bash":
      return bashScript(nodes);
    case "zsh":
      return zshScript(nodes);
    case "fish":
      return fishScript(nodes);
    case "powershell":
      return powershellScript(nodes);
  }
}
