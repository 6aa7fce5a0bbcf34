import { type CommandSpec, COMMON_OPTIONS, GLOBAL_OPTIONS, type OptionSpec } from "../cli/spec.js";

export interface CompletionOption {
  long: string;
  short?: string;
  /** Takes a value (the next word, or `--flag=value`). */
  takesValue: boolean;
  /** The values it accepts, when the table lists them (`--format`, `--color`, ...). */
  choices?: readonly string[];
  /** Its value is a file or directory (offer paths), judged from the value's name in help. */
  path: boolean;
  description: string;
}

/** What may follow one command path (`[]` is bare `wkg`, `["oci", "pull"]` is `wkg oci pull`). */
export interface CompletionNode {
  path: string[];
  subcommands: Array<{ name: string; summary: string }>;
  options: CompletionOption[];
  /** The fixed values of its first argument (`wkg completions <SHELL>`), if the table lists them. */
  arguments: string[];
}

const VERSION: OptionSpec = { type: "boolean", short: "V", description: "Print version" };

/** Every command path of the table with its subcommands and flags, so each shell's script is generated from one source. */
export function completionModel(commands: readonly CommandSpec[]): CompletionNode[] {
  const nodes: CompletionNode[] = [
    {
      path: [],
      subcommands: visible(commands).map((c) => ({ name: c.name, summary: c.summary })),
      // Before the command, `--config`/`--cache` are accepted too (`wkg --config x get`).
      options: options({ ...GLOBAL_OPTIONS, ...COMMON_OPTIONS, version: VERSION }),
      arguments: [],
    },
  ];
  const walk = (specs: readonly CommandSpec[], prefix: string[]) => {
    for (const spec of visible(specs)) {
      const path = [...prefix, spec.name];
      nodes.push({
        path,
        subcommands: visible(spec.subcommands ?? []).map((c) => ({ name: c.name, summary: c.summary })),
        options: options({ ...(spec.options ?? {}), ...GLOBAL_OPTIONS }),
        arguments: [...(spec.positionals?.[0]?.choices ?? [])],
      });
      if (spec.subcommands) walk(spec.subcommands, path);
    }
  };
  walk(commands, []);
  return nodes;
}

function visible(specs: readonly CommandSpec[]): CommandSpec[] {
  return specs.filter((s) => !s.hidden);
}

function options(specs: Readonly<Record<string, OptionSpec>>): CompletionOption[] {
  return Object.entries(specs)
    .filter(([, spec]) => !spec.hidden)
    .map(([long, spec]) => ({
      long,
      ...(spec.short ? { short: spec.short } : {}),
      takesValue: spec.type === "string",
      ...(spec.choices ? { choices: spec.choices } : {}),
      path: /PATH|OUTPUT|DIR|CONFIG|CACHE|FILE/.test(spec.valueName ?? ""),
      description: spec.description,
    }));
}
