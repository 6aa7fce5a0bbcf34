import { parseArgs } from "node:util";
import { WkgError } from "@wasm-pkg/common";
import { COMMANDS } from "./commands.js";
import { COMMON_OPTIONS, type CommandArgs, type CommandSpec, GLOBAL_OPTIONS, type OptionSpec, type ParsedValues } from "./spec.js";

export interface Invocation {
  /** The command path, e.g. [oci, pull]; empty for bare `wkg`. */
  path: CommandSpec[];
  args: CommandArgs;
}

/** Find the command named in argv (global flags may come first), then parse its flags. */
export function parseInvocation(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  commands: readonly CommandSpec[] = COMMANDS,
): Invocation {
  const rest = [...argv];
  const path: CommandSpec[] = [];
  let level = commands;
  for (;;) {
    const index = nextPositional(rest, path.at(-1));
    if (index < 0) break;
    const name = rest[index] as string;
    const found = level.find((c) => c.name === name);
    if (!found) {
      if (path.length > 0 && !path.at(-1)?.subcommands) break;
      const scope = path.length ? `wkg ${path.map((c) => c.name).join(" ")}` : "wkg";
      const known = level.filter((c) => !c.hidden).map((c) => c.name);
      throw usage(`unknown command '${name}' for \`${scope}\``, `available: ${known.join(", ")}; see \`${scope} --help\``);
    }
    path.push(found);
    rest.splice(index, 1);
    if (!found.subcommands) break;
    level = found.subcommands;
  }
  const command = path.at(-1);
  const options = { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) };
  return { path, args: parseFlags(rest, options, command, path, env) };
}

/** Index of the next token that is not a flag or a flag's value, or -1. */
function nextPositional(args: readonly string[], command: CommandSpec | undefined): number {
  // Before the command is known, `--config`/`--cache` may come first too (`wkg --config x get`).
  const options = { ...GLOBAL_OPTIONS, ...(command ? (command.options ?? {}) : COMMON_OPTIONS) };
  for (let i = 0; i < args.length; i++) {
    const token = args[i] as string;
    if (token === "--") return -1;
    if (!token.startsWith("-") || token === "-") return i;
    if (token.includes("=")) continue;
    const spec = token.startsWith("--")
      ? options[token.slice(2)]
      : Object.values(options).find((o) => o.short === token.slice(-1) && token.length === 2);
    if (spec?.type === "string") i++;
  }
  return -1;
}

function parseFlags(
  args: string[],
  options: Record<string, OptionSpec>,
  command: CommandSpec | undefined,
  path: CommandSpec[],
  env: Readonly<Record<string, string | undefined>>,
): CommandArgs {
  const scope = `wkg${path.map((c) => ` ${c.name}`).join("")}`;
  const config: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(options)) {
    config[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: config, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    const message = (error as Error).message.split("\n")[0]?.replace(/\. To specify a positional argument.*$/, "") ?? "invalid arguments";
    throw usage(
      `${message.replace(/^Unknown option/, "unknown option").replace(/^Option/, "option")} (in \`${scope}\`)`,
      `see \`${scope} --help\``,
    );
  }
  const values: ParsedValues = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    values[name] = options[name]?.type === "boolean" && Array.isArray(value) ? String(value.length) : (value as ParsedValues[string]);
  }
  if (values.help) return { values, positionals: parsed.positionals };

  const fromEnv: string[] = [];
  for (const [name, spec] of Object.entries(options)) {
    const value = values[name];
    if (value === undefined && spec.env && env[spec.env]) {
      values[name] = spec.multiple ? (env[spec.env] as string).split(",") : (env[spec.env] as string);
      fromEnv.push(name);
    } else if (value === undefined && spec.default !== undefined) {
      values[name] = spec.default;
    }
    const given = values[name];
    if (spec.choices && typeof given === "string" && !spec.choices.includes(given)) {
      throw usage(`invalid value '${given}' for --${name}`, `expected one of: ${spec.choices.join(", ")}`);
    }
    for (const other of spec.conflicts ?? []) {
      if (parsed.values[name] !== undefined && parsed.values[other] !== undefined) {
        throw usage(`--${name} cannot be used with --${other}`, `see \`${scope} --help\``);
      }
    }
  }

  const positionals = parsed.positionals;
  const declared = command?.positionals ?? [];
  const required = declared.filter((p) => p.required).length;
  const variadic = declared.some((p) => p.variadic);
  if (command && positionals.length < required) {
    const missing = declared[positionals.length] as { name: string };
    throw usage(`missing required argument <${missing.name}>`, `usage: ${usageLine(command, path)}`);
  }
  if (command?.load && !variadic && positionals.length > declared.length) {
    throw usage(`unexpected argument '${positionals[declared.length]}' for \`${scope}\``, `usage: ${usageLine(command, path)}`);
  }
  return { values, positionals, ...(fromEnv.length ? { fromEnv } : {}) };
}

export function usageLine(command: CommandSpec, path: CommandSpec[]): string {
  const parts = [`wkg${path.map((c) => ` ${c.name}`).join("")}`];
  if (command.subcommands) parts.push("<COMMAND>");
  if (command.options && Object.keys(command.options).length) parts.push("[OPTIONS]");
  for (const p of command.positionals ?? []) {
    const name = `<${p.name}>${p.variadic ? "..." : ""}`;
    parts.push(p.required ? name : `[${name}]`);
  }
  return parts.join(" ");
}

export function usage(message: string, hint?: string): WkgError {
  return new WkgError("USAGE", message, hint ? { hint } : {});
}
