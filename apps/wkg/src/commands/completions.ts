import { WkgError } from "@wasm-pkg/common";
import { COMMANDS } from "../cli/commands.js";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import type { Context } from "../context.js";
import { completionScript } from "../completions/script.js";
import { SHELLS, type Shell } from "../cli/commands-shell.js";

/** `wkg completions <SHELL>`: the completion script on stdout, generated from the command table. */
export async function run(_ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const shell = args.positionals[0] as string;
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new WkgError("USAGE", `unknown shell '${shell}' for \`wkg completions\``, { hint: `expected one of: ${SHELLS.join(", ")}` });
  }
  const script = completionScript(shell as Shell, COMMANDS);
  return { text: script, json: { shell, script } };
}
