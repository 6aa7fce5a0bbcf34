import { PackageRef, VersionReq, WkgError, locateKey, parseTomlDocument } from "@wasm-pkg/common";
import { REGISTRY_KEYS, pickRegistryTables } from "./registries.js";
import type { Manifest, Override, PackageMetadata, WorkspaceConfig } from "./types.js";

type Table = Record<string, unknown>;

/**
 * Parse `wkg.toml` (pure). Reads both upstream shapes of `[metadata]` (v0.8.3 and HEAD) into
 * the current one; unknown keys are errors naming file, line and key.
 */
export function parseManifest(text: string, file = "wkg.toml"): Manifest {
  const doc = parseTomlDocument(text, file, "INVALID_MANIFEST", "invalid manifest");
  const fail = (path: string[], problem: string, hint?: string): never => {
    const line = locateKey(text, path);
    throw new WkgError("INVALID_MANIFEST", `invalid manifest: ${file}${line ? `:${line}` : ""}: ${path.join(".")}: ${problem}`, {
      ...(hint ? { hint } : {}),
    });
  };
  const manifest: Manifest = { overrides: {}, warnings: [] };
  for (const key of Object.keys(doc)) {
    if (key !== "overrides" && key !== "metadata" && key !== "workspace" && !REGISTRY_KEYS.includes(key)) {
      fail(
        [key],
        "unknown key",
        "wkg.toml knows [overrides], [metadata], [workspace], and the registry tables of config.toml (default_registry, [namespace_registries], [package_registry_overrides], [registry])",
      );
    }
  }
  const registries = pickRegistryTables(doc);
  if (registries) manifest.registries = registries;
  if (doc.overrides !== undefined) {
    const table = asTable(doc.overrides, ["overrides"], fail);
    for (const [name, value] of Object.entries(table)) {
      try {
        PackageRef.parse(name);
      } catch (error) {
        fail(["overrides", name], (error as Error).message);
      }
      manifest.overrides[name] = parseOverride(value, ["overrides", name], fail, manifest.warnings);
    }
  }
  if (doc.metadata !== undefined) manifest.metadata = parseMetadata(doc.metadata, ["metadata"], fail, manifest.warnings);
  if (doc.workspace !== undefined) {
    const workspace = parseWorkspace(doc.workspace, fail, manifest.warnings);
    if (workspace && "root" in workspace) manifest.workspaceRoot = workspace.root;
    else if (workspace) {
      if (doc.overrides !== undefined || doc.metadata !== undefined) {
        fail(
          ["workspace"],
          "`[workspace]` cannot coexist with `[overrides]` or `[metadata]`",
          "use [workspace.metadata] for workspace-level values",
        );
      }
      manifest.workspace = workspace;
    }
  }
  return manifest;
}

type Fail = (path: string[], problem: string, hint?: string) => never;

function asTable(value: unknown, path: string[], fail: Fail): Table {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(path, "expected a table");
  return value as Table;
}

function str(value: unknown, path: string[], fail: Fail): string {
  if (typeof value !== "string") return fail(path, "expected a string");
  return value;
}

function parseOverride(value: unknown, path: string[], fail: Fail, warnings: string[]): Override {
  const table = asTable(value, path, fail);
  const out: Override = {};
  for (const [key, v] of Object.entries(table)) {
    if (key === "path") out.path = str(v, [...path, key], fail);
    else if (key === "version") {
      try {
        out.version = VersionReq.parse(str(v, [...path, key], fail));
      } catch (error) {
        if (error instanceof WkgError && error.code === "INVALID_MANIFEST") throw error;
        fail([...path, key], (error as Error).message);
      }
    } else fail([...path, key], "unknown key (expected `path` or `version`)");
  }
  const name = path[1];
  if (out.path !== undefined && out.version !== undefined)
    warnings.push(`override for ${name}: ignoring \`version\` because \`path\` is set`);
  if (out.path === undefined && out.version === undefined)
    warnings.push(`override for ${name} has neither \`path\` nor \`version\`; ignoring it`);
  return out;
}

const METADATA_ALIASES: Record<string, keyof PackageMetadata> = {
  authors: "authors",
  author: "authors",
  description: "description",
  licenses: "licenses",
  license: "licenses",
  source: "source",
  repository: "source",
  homepage: "homepage",
  revision: "revision",
};

function parseMetadata(value: unknown, path: string[], fail: Fail, warnings: string[]): PackageMetadata {
  const table = asTable(value, path, fail);
  const out: PackageMetadata = {};
  for (const [key, v] of Object.entries(table)) {
    if (key === "categories" || key === "documentation") {
      // v0.8.3 keys that upstream HEAD rejects; accepted so old manifests keep working.
      warnings.push(`[${path.join(".")}] \`${key}\` is no longer used and is ignored`);
      continue;
    }
    const target = METADATA_ALIASES[key];
    if (!target) fail([...path, key], "unknown key", "known keys: authors, description, licenses, source, homepage, revision");
    if (out[target as keyof PackageMetadata] !== undefined) fail([...path, key], `\`${target}\` is set twice (through an alias)`);
    if (target === "authors" && Array.isArray(v)) {
      // v0.8.3 took a list of authors; HEAD takes one string.
      out.authors = v.map((a, i) => str(a, [...path, key, String(i)], fail)).join(", ");
      continue;
    }
    out[target as keyof PackageMetadata] = str(v, [...path, key], fail);
  }
  return out;
}

function parseWorkspace(value: unknown, fail: Fail, warnings: string[]): WorkspaceConfig | { root: string } | undefined {
  const table = asTable(value, ["workspace"], fail);
  for (const key of Object.keys(table)) {
    if (key !== "members" && key !== "metadata" && key !== "root") {
      fail(["workspace", key], "unknown key (a root has `members` and `metadata`; a member names its root with `root`)");
    }
  }
  if (table.root !== undefined) {
    // Upstream's member form (`WorkspaceConfig::Member { root }`): this package belongs to the
    // workspace whose root `wkg.toml` the path names.
    if (table.members !== undefined) fail(["workspace", "root"], "a workspace root lists `members`; only a member names its `root`");
    if (table.metadata !== undefined)
      fail(["workspace", "metadata"], "belongs in the root's wkg.toml, not in a member's (use [metadata] here)");
    const root = str(table.root, ["workspace", "root"], fail);
    if (root === "") fail(["workspace", "root"], "expected the path of the workspace root (its directory or its wkg.toml)");
    return { root };
  }
  // A table with neither is upstream's (unused) empty member declaration.
  if (table.members === undefined) return undefined;
  if (!Array.isArray(table.members)) fail(["workspace", "members"], "expected an array of paths");
  const members = (table.members as unknown[]).map((m, i) => str(m, ["workspace", "members", String(i)], fail));
  const workspace: WorkspaceConfig = { members };
  if (table.metadata !== undefined) workspace.metadata = parseMetadata(table.metadata, ["workspace", "metadata"], fail, warnings);
  return workspace;
}
