import { formatKey, parseTomlDocument } from "@wasm-pkg/common";
import { CONFIG_KEYS, type ParsedConfig, configFailer, isTable, readConfigTables } from "./parse.js";
import { findCredential } from "./secrets.js";

/**
 * The registry settings of a project's `wkg.toml` (upstream #203), pure: the same tables as
 * config.toml, validated by the same code so errors read the same. The file's other keys
 * (`[overrides]`, `[metadata]`, `[workspace]`) belong to the manifest parser and are skipped.
 *
 * Credentials are refused: a `wkg.toml` is committed and shared with everyone who clones the
 * project, so a secret there is a leak, and a project must not choose what the user's
 * registries are sent. Each user keeps them in their own config or environment.
 */
export function parseProjectConfig(text: string, file = "wkg.toml"): ParsedConfig {
  const doc = parseTomlDocument(text, file, "INVALID_CONFIG", "invalid config");
  const fail = configFailer(text, file);
  const registries = doc.registry;
  if (isTable(registries)) {
    for (const [name, settings] of Object.entries(registries as Record<string, unknown>)) {
      if (!isTable(settings)) continue;
      for (const [backend, table] of Object.entries(settings as Record<string, unknown>)) {
        const found = findCredential(table);
        if (!found) continue;
        const path = ["registry", name, backend, ...found];
        fail(
          path,
          "credentials are never read from wkg.toml (it is shared with everyone who clones the project)",
          `remove it, and keep it in your own config instead (\`wkg config --edit\`, under [registry.${formatKey([name])}.${backend}])${
            backend === "oci" ? ", or use `docker login` or WKG_REGISTRY_<HOST>_AUTH_BEARER" : ""
          }`,
        );
      }
    }
  }
  const tables: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (doc[key] !== undefined) tables[key] = doc[key];
  return readConfigTables(tables, fail);
}
