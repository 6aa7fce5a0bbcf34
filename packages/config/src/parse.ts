import { PackageRef, Registry, WkgError, formatKey, labelProblem, locateKey, parseTomlDocument } from "@wasm-pkg/common";
import { type Config, type RegistryConfig, type RegistryMapping, emptyConfig } from "./types.js";

export interface ParsedConfig {
  config: Config;
  /** Dotted keys this document set, for provenance. */
  keys: string[];
}

type Table = Record<string, unknown>;

/** The top-level keys of a config file; a project's `wkg.toml` may hold them too. */
export const CONFIG_KEYS: readonly string[] = ["default_registry", "namespace_registries", "package_registry_overrides", "registry"];
const TOP_LEVEL = new Set(CONFIG_KEYS);

export type Fail = (path: string[], problem: string, hint?: string) => never;

/** Errors read `invalid config: <file>:<line>: <key>: <problem>`, wherever the tables live. */
export function configFailer(text: string, file: string): Fail {
  return (path, problem, hint) => {
    const line = locateKey(text, path);
    throw new WkgError("INVALID_CONFIG", `invalid config: ${file}${line ? `:${line}` : ""}: ${formatKey(path)}: ${problem}`, {
      ...(hint ? { hint } : {}),
      details: { file, ...(line ? { line } : {}), key: formatKey(path) },
    });
  };
}

/**
 * Parse and validate config TOML (pure). `file` only labels errors, which read
 * `invalid config: <file>:<line>: <key>: <problem>`.
 */
export function parseConfig(text: string, file = "config.toml"): ParsedConfig {
  const doc = parseTomlDocument(text, file, "INVALID_CONFIG", "invalid config");
  const fail = configFailer(text, file);
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.has(key)) {
      fail([key], "unknown key", "known keys are default_registry, namespace_registries, package_registry_overrides and registry");
    }
  }
  return readConfigTables(doc, fail);
}

/** Validate the config keys of a parsed document (any other key is the caller's business). */
export function readConfigTables(doc: Table, fail: Fail): ParsedConfig {
  const config = emptyConfig();
  const keys: string[] = [];

  if (doc.default_registry !== undefined) {
    config.defaultRegistry = registryName(doc.default_registry, ["default_registry"], fail);
    keys.push("default_registry");
  }

  for (const [section, target, checkKey] of [
    ["namespace_registries", config.namespaceRegistries, (k: string) => labelProblem(k)],
    ["package_registry_overrides", config.packageRegistryOverrides, (k: string) => packageRefProblem(k)],
  ] as const) {
    const value = doc[section];
    if (value === undefined) continue;
    if (!isTable(value)) fail([section], `expected a table, found ${describe(value)}`);
    for (const [key, mapping] of Object.entries(value as Table)) {
      const problem = checkKey(key);
      if (problem) fail([section, key], `invalid ${section === "namespace_registries" ? "namespace" : "package name"}: ${problem}`);
      target[key] = parseMapping(mapping, [section, key], fail);
      keys.push(formatKey([section, key]));
    }
  }

  if (doc.registry !== undefined) {
    if (!isTable(doc.registry)) fail(["registry"], `expected a table, found ${describe(doc.registry)}`);
    for (const [name, value] of Object.entries(doc.registry as Table)) {
      registryName(name, ["registry", name], fail);
      if (!isTable(value)) fail(["registry", name], `expected a table, found ${describe(value)}`);
      const rc: RegistryConfig = { backends: {} };
      for (const [key, entry] of Object.entries(value as Table)) {
        if (key === "default" || key === "type") {
          if (typeof entry !== "string") fail(["registry", name, key], `expected a backend name string, found ${describe(entry)}`);
          if (rc.default !== undefined && rc.default !== entry) fail(["registry", name, key], "both `default` and `type` are set");
          rc.default = entry as string;
          keys.push(formatKey(["registry", name, "default"]));
        } else {
          if (!isTable(entry)) {
            fail(
              ["registry", name, key],
              `expected a [registry.${formatKey([name])}.${key}] table, found ${describe(entry)}`,
              'backend settings live in their own table, e.g. [registry."ghcr.io".oci]',
            );
          }
          rc.backends[key] = entry as Table;
          keys.push(formatKey(["registry", name, key]));
        }
      }
      config.registries[name] = rc;
    }
  }
  return { config, keys };
}

function registryName(value: unknown, path: string[], fail: Fail): string {
  if (typeof value !== "string") return fail(path, `expected a registry name string, found ${describe(value)}`);
  try {
    return Registry.parse(value).toString();
  } catch (error) {
    return fail(path, (error as Error).message, (error as WkgError).hint);
  }
}

function parseMapping(value: unknown, path: string[], fail: Fail): RegistryMapping {
  if (typeof value === "string") return { registry: registryName(value, path, fail) };
  if (!isTable(value)) return fail(path, `expected a registry name or { registry, metadata }, found ${describe(value)}`);
  const table = value as Table;
  for (const key of Object.keys(table)) {
    if (key !== "registry" && key !== "metadata") fail([...path, key], "unknown key (expected `registry` and `metadata`)");
  }
  if (table.registry === undefined) fail(path, "missing `registry`");
  const mapping: RegistryMapping = { registry: registryName(table.registry, [...path, "registry"], fail) };
  if (table.metadata !== undefined) {
    if (!isTable(table.metadata)) fail([...path, "metadata"], `expected a table, found ${describe(table.metadata)}`);
    mapping.metadata = table.metadata as Table;
  }
  return mapping;
}

function packageRefProblem(key: string): string | undefined {
  try {
    PackageRef.parse(key);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function isTable(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  if (value === null) return "null";
  if (typeof value === "object") return "a table";
  return `${typeof value === "string" ? "a string" : typeof value === "number" || typeof value === "bigint" ? "a number" : `a ${typeof value}`} (${JSON.stringify(typeof value === "bigint" ? String(value) : value)})`;
}
