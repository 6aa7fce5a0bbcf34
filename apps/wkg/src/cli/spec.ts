import type { Context } from "../context.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** May be given several times; string values collect into an array. */
  multiple?: boolean;
  description: string;
  /** Placeholder shown in help, e.g. `<PATH>`. */
  valueName?: string;
  /** Environment variable read when the flag is absent, as upstream's clap `env`. */
  env?: string;
  default?: string;
  choices?: readonly string[];
  /** Names of options this one cannot be combined with. */
  conflicts?: readonly string[];
  hidden?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
  /** The values it takes, when they are few and fixed (offered by shell completion). */
  choices?: readonly string[];
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandArgs {
  values: ParsedValues;
  positionals: string[];
  /** Options whose value came from their environment variable rather than the command line. */
  fromEnv?: readonly string[];
}

/** What a command hands back for the CLI to print: text for humans, data for `--json`. */
export interface CommandOutput {
  /** Lines for stdout in human mode. */
  text?: string;
  /** The `--json` document (stdout); omitted means `{}`. */
  json?: unknown;
  exitCode?: number;
}

export interface CommandModule {
  run(ctx: Context, args: CommandArgs): Promise<CommandOutput | undefined>;
}

export interface CommandSpec {
  name: string;
  summary: string;
  description?: string;
  positionals?: readonly PositionalSpec[];
  options?: Readonly<Record<string, OptionSpec>>;
  subcommands?: readonly CommandSpec[];
  load?: () => Promise<CommandModule>;
  examples?: readonly string[];
  /** Printed as a warning before running (upstream's `wkg wit <cmd>` deprecation). */
  deprecated?: { warning: string; help: string };
  hidden?: boolean;
}

/** Flags every command accepts, before or after the command name. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  color: {
    type: "string",
    valueName: "<WHEN>",
    choices: ["auto", "always", "never"],
    description: "When to use colors: auto (default; honours NO_COLOR), always, never",
  },
  verbose: { type: "boolean", short: "v", multiple: true, description: "Say more (-vv shows every HTTP request)" },
  quiet: { type: "boolean", short: "q", description: "Only print errors and results" },
  json: { type: "boolean", description: "Print one JSON document on stdout instead of text" },
  help: { type: "boolean", short: "h", description: "Print help" },
};

/** `--config` and `--cache`, shared by commands that load config, as upstream's `Common`. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  config: { type: "string", valueName: "<CONFIG>", env: "WKG_CONFIG_FILE", description: "The path to the configuration file" },
  cache: { type: "string", valueName: "<CACHE>", env: "WKG_CACHE_DIR", description: "The path to the cache directory" },
};

/** For commands that talk to registries. */
export const NETWORK_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  timeout: {
    type: "string",
    valueName: "<SECONDS>",
    env: "WKG_HTTP_TIMEOUT",
    description: "Give up on a request when the registry sends nothing for this long (default 30)",
  },
};
