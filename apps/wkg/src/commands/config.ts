import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { Registry, WkgError, writeFileAtomic } from "@wasm-pkg/common";
import {
  CONFIG_TEMPLATE,
  type ConfigSource,
  type LoadedConfig,
  formatKey,
  globalConfigPath,
  isSecretKey,
  setTopLevelString,
  writeConfigFile,
} from "@wasm-pkg/config";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import type { Context } from "../context.js";

export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const path = configPath(ctx, args);
  if (args.values.edit) return await edit(ctx, path);

  const newDefault = args.values["default-registry"];
  if (typeof newDefault === "string") {
    const registry = Registry.parse(newDefault).toString();
    const before = await readIfExists(path);
    await writeConfigFile(path, setTopLevelString(before ?? "", "default_registry", registry));
    ctx.reporter.status("Updated", `config file ${path}`);
  }

  const loaded = await ctx.loadConfig(args);
  if (args.values.show) return show(loaded, registryOverrides(ctx, args));
  const current = loaded.config.defaultRegistry;
  if (!current) {
    ctx.reporter.warn("Default registry is not set", "set one with `wkg config --default-registry <registry>`");
    return { json: { path, defaultRegistry: null } };
  }
  // A project's wkg.toml outranks the file this command edits: say so rather than seem to ignore the edit.
  const from = loaded.sources.default_registry;
  const project = from?.kind === "project" ? from.path : undefined;
  return {
    text: `Default registry: ${current}${project ? ` (from ${project}, which takes precedence over ${path})` : ""}`,
    json: { path, defaultRegistry: current, ...(project ? { source: from } : {}) },
  };
}

function configPath(ctx: Context, args: CommandArgs): string {
  const explicit = typeof args.values.config === "string" ? args.values.config : undefined;
  const path = explicit ?? globalConfigPath(ctx.io.env);
  if (!path) {
    throw new WkgError("CONFIG_IO", "global config path not available", {
      hint: "neither HOME nor XDG_CONFIG_HOME (APPDATA on Windows) is set; pass --config <path>",
    });
  }
  return path;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new WkgError("CONFIG_IO", `error reading config file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function edit(ctx: Context, path: string): Promise<CommandOutput> {
  const editor = ctx.io.env.EDITOR || ctx.io.env.VISUAL;
  if (!editor) {
    throw new WkgError("IO", "no editor: the $EDITOR environment variable is not set", {
      hint: `set EDITOR (for example \`EDITOR=nano wkg config --edit\`), or edit ${path} directly`,
    });
  }
  if ((await readIfExists(path)) === undefined) await writeFileAtomic(path, CONFIG_TEMPLATE);
  // EDITOR may carry arguments (`code --wait`); it is split on spaces, not run through a shell.
  const [program, ...editorArgs] = editor.trim().split(/\s+/) as [string, ...string[]];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(program, [...editorArgs, path], { stdio: "inherit" });
    child.on("error", (error) =>
      reject(new WkgError("IO", `failed to launch editor \`${program}\`: ${error.message}`, { hint: "check $EDITOR", cause: error })),
    );
    child.on("exit", resolve);
  });
  if (code !== 0) throw new WkgError("IO", `editor \`${program}\` exited with status ${code}`);
  // Check what the user wrote now rather than on the next unrelated command.
  const { parseConfig } = await import("@wasm-pkg/config");
  try {
    parseConfig((await readIfExists(path)) ?? "", path);
  } catch (error) {
    if (error instanceof WkgError) {
      throw new WkgError(error.code, error.message, { hint: "the file was saved as written; run `wkg config --edit` again to fix it" });
    }
    throw error;
  }
  return { json: { path } };
}

/** `--registry` / `WKG_REGISTRY`: not a config key, but it beats every mapping for get and publish. */
interface RegistryOverride {
  source: ConfigSource;
  registry: string;
  /** Set when a higher override hides this one (the env var under the flag). */
  overriddenBy?: ConfigSource;
}

function registryOverrides(ctx: Context, args: CommandArgs): RegistryOverride[] {
  const out: RegistryOverride[] = [];
  const env = ctx.io.env.WKG_REGISTRY;
  const fromFlag = typeof args.values.registry === "string" && !args.fromEnv?.includes("registry");
  const flag: ConfigSource = { kind: "flag", name: "--registry" };
  if (fromFlag) out.push({ source: flag, registry: Registry.parse(args.values.registry as string).toString() });
  if (env) {
    out.push({
      source: { kind: "env", name: "WKG_REGISTRY" },
      registry: Registry.parse(env).toString(),
      ...(fromFlag ? { overriddenBy: flag } : {}),
    });
  }
  return out;
}

function show(loaded: LoadedConfig, overrides: RegistryOverride[]): CommandOutput {
  const { config, sources, shadowed } = loaded;
  const rows: Array<[string, string]> = [];
  // A value's origin and the lower layers it wins over: the precedence, value by value.
  const where = (key: string): string => {
    const over = (shadowed[key] ?? []).map(describeSource).reverse();
    return `${describeSource(sources[key])}${over.length ? ` (over ${over.join(", ")})` : ""}`;
  };
  const header = (text: string) => rows.push([text, ""]);

  for (const o of overrides) {
    rows.push([
      o.source.kind === "flag" ? `--registry ${o.registry}` : `WKG_REGISTRY=${o.registry}`,
      o.overriddenBy
        ? `${describeSource(o.source)} (overridden by ${describeSource(o.overriddenBy)})`
        : `${describeSource(o.source)}: get and publish send every package there`,
    ]);
  }
  if (config.defaultRegistry) rows.push([`default_registry = ${toml(config.defaultRegistry)}`, where("default_registry")]);
  const mappings = Object.entries(config.namespaceRegistries);
  const fallbacks = Object.entries(config.fallbacks).filter(([ns]) => !config.namespaceRegistries[ns]);
  if (mappings.length || fallbacks.length) {
    header("\n[namespace_registries]");
    for (const [ns, m] of mappings) {
      rows.push([
        `${formatKey([ns])} = ${m.metadata ? toml({ registry: m.registry, metadata: m.metadata }) : toml(m.registry)}`,
        where(formatKey(["namespace_registries", ns])),
      ]);
    }
    for (const [ns, registry] of fallbacks) {
      rows.push([`${formatKey([ns])} = ${toml(registry)}`, `built-in fallback${config.defaultRegistry ? " (default_registry wins)" : ""}`]);
    }
  }
  const packageOverrides = Object.entries(config.packageRegistryOverrides);
  if (packageOverrides.length) {
    header("\n[package_registry_overrides]");
    for (const [pkg, m] of packageOverrides) {
      rows.push([
        `${JSON.stringify(pkg)} = ${m.metadata ? toml({ registry: m.registry, metadata: m.metadata }) : toml(m.registry)}`,
        where(formatKey(["package_registry_overrides", pkg])),
      ]);
    }
  }
  for (const [name, rc] of Object.entries(config.registries)) {
    if (rc.default) {
      header(`\n[registry.${JSON.stringify(name)}]`);
      rows.push([`default = ${toml(rc.default)}`, where(formatKey(["registry", name, "default"]))]);
    }
    for (const [backend, table] of Object.entries(rc.backends)) {
      header(`${rc.default ? "" : "\n"}[registry.${JSON.stringify(name)}.${backend}]`);
      const source = where(formatKey(["registry", name, backend]));
      for (const [key, value] of Object.entries(table)) rows.push([`${formatKey([key])} = ${toml(mask(key, value))}`, source]);
    }
  }
  const width = Math.min(60, Math.max(0, ...rows.filter(([, s]) => s).map(([t]) => t.length)));
  const precedence = [...overrides.map((o) => o.source), ...[...loaded.layers].reverse()];
  const lines = [`# effective configuration; first wins: ${precedence.map((l) => describeLayer(l)).join(", then ")}`];
  for (const [text, source] of rows) lines.push(source ? `${text.padEnd(width)}  # ${source}` : text);
  return {
    text: lines.join("\n"),
    json: {
      path: loaded.path,
      layers: loaded.layers,
      precedence,
      overrides: overrides.map((o) => ({ ...o.source, registry: o.registry, ...(o.overriddenBy ? { overriddenBy: o.overriddenBy } : {}) })),
      config: {
        defaultRegistry: config.defaultRegistry ?? null,
        namespaceRegistries: config.namespaceRegistries,
        packageRegistryOverrides: config.packageRegistryOverrides,
        registries: Object.fromEntries(
          Object.entries(config.registries).map(([n, rc]) => [
            n,
            { ...rc, backends: Object.fromEntries(Object.entries(rc.backends).map(([b, t]) => [b, mask("", t)])) },
          ]),
        ),
        fallbacks: config.fallbacks,
      },
      sources,
      shadowed,
    },
  };
}

function describeSource(source: ConfigSource | undefined): string {
  if (!source) return "";
  switch (source.kind) {
    case "built-in":
      return "built-in";
    case "file":
    case "project":
      return source.path;
    case "flag":
      return source.name;
    case "env":
      return `environment ${source.name}`;
    default:
      return source.what;
  }
}

/** A layer in the precedence header says what kind of layer it is. */
function describeLayer(source: ConfigSource): string {
  if (source.kind === "project") return `${source.path} (project)`;
  if (source.kind === "file") return `${source.path} (user config)`;
  return describeSource(source);
}

/** Replace secret values (at any depth) with `***` for display. */
function mask(key: string, value: unknown): unknown {
  if (isSecretKey(key) && typeof value === "string") return "***";
  if (value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(k, v)]));
  }
  return value;
}

/** A value in TOML syntax, inline tables included. */
function toml(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(toml).join(", ")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${formatKey([k])} = ${toml(v)}`);
    return entries.length ? `{ ${entries.join(", ")} }` : "{}";
  }
  return '""';
}
