import { COMMANDS } from "./commands.js";
import { usageLine } from "./parse.js";
import { type CommandSpec, GLOBAL_OPTIONS, type OptionSpec } from "./spec.js";
import type { Style } from "../render/style.js";

/** Help text generated from the command table, so flags and help never drift apart. */
export function renderHelp(path: CommandSpec[], style: Style): string {
  const command = path.at(-1);
  const out: string[] = [];
  if (!command) {
    out.push("wkg: the WebAssembly package tool: fetch and publish components and WIT packages", "");
    out.push(`${style.heading("Usage:")} wkg [OPTIONS] <COMMAND>`, "", style.heading("Commands:"));
    out.push(
      ...table(
        COMMANDS.filter((c) => !c.hidden).map((c) => [c.name, c.summary]),
        style,
      ),
    );
    out.push("", style.heading("Options:"));
    out.push(...optionRows({ ...GLOBAL_OPTIONS, version: { type: "boolean", short: "V", description: "Print version" } }, style));
    out.push("", "Run `wkg <COMMAND> --help` for a command's options.");
    return `${out.join("\n")}\n`;
  }
  out.push(command.summary, "");
  if (command.description) out.push(command.description, "");
  out.push(`${style.heading("Usage:")} ${usageLine(command, path)}`);
  if (command.subcommands) {
    out.push("", style.heading("Commands:"));
    out.push(
      ...table(
        command.subcommands.filter((c) => !c.hidden).map((c) => [c.name, c.summary]),
        style,
      ),
    );
  }
  if (command.positionals?.length) {
    out.push("", style.heading("Arguments:"));
    out.push(
      ...table(
        command.positionals.map((p) => [`<${p.name}>${p.variadic ? "..." : ""}`, p.description]),
        style,
      ),
    );
  }
  out.push("", style.heading("Options:"));
  out.push(...optionRows({ ...(command.options ?? {}), ...GLOBAL_OPTIONS }, style));
  if (command.examples?.length) {
    out.push("", style.heading("Examples:"));
    for (const example of command.examples) out.push(`  ${example}`);
  }
  return `${out.join("\n")}\n`;
}

function optionRows(options: Record<string, OptionSpec>, style: Style): string[] {
  const rows: Array<[string, string]> = [];
  for (const [name, spec] of Object.entries(options)) {
    if (spec.hidden) continue;
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.type === "string" ? ` ${spec.valueName ?? "<VALUE>"}` : ""}`;
    const extras: string[] = [];
    if (spec.env) extras.push(`env: ${spec.env}`);
    if (spec.default !== undefined) extras.push(`default: ${spec.default}`);
    if (spec.choices) extras.push(`one of: ${spec.choices.join(", ")}`);
    rows.push([flag, `${spec.description}${extras.length ? ` [${extras.join("; ")}]` : ""}`]);
  }
  return table(rows, style);
}

function table(rows: Array<[string, string]>, style: Style): string[] {
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) =>
    left.length > width ? `  ${style.bold(left)}\n  ${" ".repeat(width)}  ${right}` : `  ${style.bold(left.padEnd(width))}  ${right}`,
  );
}
