import { readFileSync } from "node:fs";
import { COMMANDS } from "./cli/commands.js";
import { renderHelp } from "./cli/help.js";
import { parseInvocation } from "./cli/parse.js";
import { createContext } from "./context.js";
import { type Io, processIo } from "./io.js";
import { EXIT, renderError } from "./render/errors.js";
import { Reporter } from "./render/reporter.js";
import { colorEnabled, createStyle } from "./render/style.js";

export { COMMANDS } from "./cli/commands.js";
export type { Io } from "./io.js";

export function version(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

/** Flags that shape output, read before full parsing so even usage errors render right. */
function outputFlags(argv: readonly string[]) {
  let color: string | undefined;
  let json = false;
  let verbosity = 0;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "--") break;
    if (token === "--json") json = true;
    else if (token === "-q" || token === "--quiet") verbosity = -1;
    else if (token === "--verbose") verbosity = Math.max(verbosity, 0) + 1;
    else if (/^-v+$/.test(token)) verbosity = Math.max(verbosity, 0) + token.length - 1;
    else if (token === "--color") color = argv[i + 1];
    else if (token.startsWith("--color=")) color = token.slice("--color=".length);
  }
  return { color, json, verbosity };
}

/** Run wkg with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const flags = outputFlags(argv);
  const style = createStyle(colorEnabled(flags.color, io.stderr.isTTY === true, io.env));
  const reporter = new Reporter({ io, style, json: flags.json, verbosity: flags.verbosity });

  const fail = (error: unknown): number => {
    reporter.finish();
    const rendered = renderError(error, style, flags.verbosity);
    if (flags.json) io.stdout.write(`${JSON.stringify({ ok: false, error: rendered.json, warnings: reporter.warnings }, null, 2)}\n`);
    io.stderr.write(rendered.text);
    return rendered.exitCode;
  };

  if (argv.some((a) => a === "--version" || a === "-V") && !argv.some((a) => COMMANDS.some((c) => c.name === a))) {
    io.stdout.write(flags.json ? `${JSON.stringify({ ok: true, version: version() })}\n` : `wkg ${version()}\n`);
    return EXIT.ok;
  }

  let invocation: ReturnType<typeof parseInvocation>;
  try {
    invocation = parseInvocation(argv, io.env);
  } catch (error) {
    return fail(error);
  }
  const { path, args } = invocation;
  const command = path.at(-1);
  if (args.values.help) {
    io.stdout.write(renderHelp(path, createStyle(colorEnabled(flags.color, io.stdout.isTTY === true, io.env))));
    return EXIT.ok;
  }
  if (!command?.load) {
    io.stderr.write(renderHelp(path, style));
    return EXIT.usage;
  }

  const ctx = createContext(io, reporter, style, flags.json, flags.verbosity);
  try {
    if (command.deprecated) reporter.warn(command.deprecated.warning, command.deprecated.help);
    const module = await command.load();
    const output = (await module.run(ctx, args)) ?? {};
    reporter.finish();
    if (flags.json) {
      io.stdout.write(
        `${JSON.stringify({ ok: (output.exitCode ?? 0) === 0, ...(output.json as object), warnings: reporter.warnings }, null, 2)}\n`,
      );
    } else if (output.text) {
      io.stdout.write(output.text.endsWith("\n") ? output.text : `${output.text}\n`);
    }
    return output.exitCode ?? EXIT.ok;
  } catch (error) {
    return fail(error);
  }
}
