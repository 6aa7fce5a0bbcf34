import { stringify } from "smol-toml";
import type { Config, RegistryMapping } from "./types.js";

/** The whole config as TOML (fallbacks are never written, as upstream). */
export function configToToml(config: Config): string {
  const doc: Record<string, unknown> = {};
  if (config.defaultRegistry) doc.default_registry = config.defaultRegistry;
  const mappings = (m: Record<string, RegistryMapping>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.metadata ? { registry: v.registry, metadata: v.metadata } : v.registry]));
  if (Object.keys(config.namespaceRegistries).length) doc.namespace_registries = mappings(config.namespaceRegistries);
  if (Object.keys(config.packageRegistryOverrides).length) doc.package_registry_overrides = mappings(config.packageRegistryOverrides);
  if (Object.keys(config.registries).length) {
    doc.registry = Object.fromEntries(
      Object.entries(config.registries).map(([name, rc]) => [name, { ...(rc.default ? { default: rc.default } : {}), ...rc.backends }]),
    );
  }
  return `${stringify(doc)}\n`;
}

/**
 * Set a top-level string key by editing the text, so comments, ordering and every other
 * key survive (`wkg config --default-registry` used to rewrite the whole file upstream).
 */
export function setTopLevelString(source: string, key: string, value: string): string {
  const lines = source.split("\n");
  const line = `${key} = ${JSON.stringify(value)}`;
  const firstTable = lines.findIndex((l) => /^\s*\[/.test(l));
  const end = firstTable < 0 ? lines.length : firstTable;
  const pattern = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*=`);
  for (let i = 0; i < end; i++) {
    if (pattern.test(lines[i] as string)) {
      const comment = /\s#.*$/.exec(stripStrings(lines[i] as string));
      lines[i] = comment ? `${line}${(lines[i] as string).slice(comment.index)}` : line;
      return lines.join("\n");
    }
  }
  // Insert after the leading comment block, before any other content.
  let at = 0;
  while (at < end && /^\s*(#.*)?$/.test(lines[at] as string) && (lines[at] as string).trim() !== "") at++;
  lines.splice(at, 0, line);
  const out = lines.join("\n");
  return out.endsWith("\n") ? out : `${out}\n`;
}

/** Replace string contents with spaces so `#` inside quotes is not mistaken for a comment. */
function stripStrings(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, (m) => " ".repeat(m.length));
}
