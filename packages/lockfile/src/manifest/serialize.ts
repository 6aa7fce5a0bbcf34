import { tomlString } from "@wasm-pkg/common";
import { serializeRegistryTables } from "./registries.js";
import type { Manifest, PackageMetadata } from "./types.js";

const METADATA_ORDER: Array<keyof PackageMetadata> = ["authors", "description", "licenses", "source", "homepage", "revision"];

/** `wkg.toml` in the current shape (old `[metadata]` keys come out as their new names); registry tables first. */
export function serializeManifest(manifest: Manifest): string {
  const sections: string[] = [];
  const metadata = (header: string, m: PackageMetadata) => {
    const lines = METADATA_ORDER.filter((k) => m[k] !== undefined).map((k) => `${k} = ${tomlString(m[k] as string)}`);
    return `[${header}]\n${lines.join("\n")}${lines.length ? "\n" : ""}`;
  };
  const overrides = Object.entries(manifest.overrides);
  if (overrides.length) {
    const lines = overrides.map(([name, o]) => {
      const fields = [
        o.path !== undefined ? `path = ${tomlString(o.path)}` : "",
        o.version ? `version = ${tomlString(o.version.text)}` : "",
      ].filter(Boolean);
      return `${tomlString(name)} = { ${fields.join(", ")} }`;
    });
    sections.push(`[overrides]\n${lines.join("\n")}\n`);
  }
  if (manifest.metadata) sections.push(metadata("metadata", manifest.metadata));
  if (manifest.workspaceRoot !== undefined) sections.push(`[workspace]\nroot = ${tomlString(manifest.workspaceRoot)}\n`);
  if (manifest.workspace) {
    sections.push(`[workspace]\nmembers = [${manifest.workspace.members.map(tomlString).join(", ")}]\n`);
    if (manifest.workspace.metadata) sections.push(metadata("workspace.metadata", manifest.workspace.metadata));
  }
  // First: a top-level `default_registry` after a table header would land inside that table.
  if (manifest.registries) sections.unshift(serializeRegistryTables(manifest.registries));
  return sections.join("\n");
}
