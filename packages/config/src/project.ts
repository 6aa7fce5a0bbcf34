import { formatKey, parseTomlDocument } from "@wasm-pkg/common";
import { CONFIG_KEYS, type Fail, type ParsedConfig, configFailer, isTable, readConfigTables } from "./parse.js";
import { findCredential } from "./secrets.js";

/**
 * The registry settings of a project's `wkg.toml` (upstream #203), pure: the same tables as
 * config.toml, validated by the same code so errors read the same. The file's other keys
 * (`[overrides]`, `[metadata]`, `[workspace]`) belong to the manifest parser and are skipped.
 *
 * Credentials are refused: a `wkg.toml` is committed and shared with everyone who clones the
 * project, so a secret there is a leak. Each user keeps them in their own config or environment.
 * So are the OCI settings that lower transport security: the user's own credentials for that
 * registry (config, Docker, environment) would travel in the clear or to whoever can intercept.
 */
export function parseProjectConfig(text: string, file = "wkg.toml"): ParsedConfig {
  const doc = parseTomlDocument(text, file, "INVALID_CONFIG", "invalid config");
  const fail = configFailer(text, file);
  const backendTables: Array<[name: string, backend: string, table: unknown]> = [];
  if (isTable(doc.registry)) {
    for (const [name, settings] of Object.entries(doc.registry as Record<string, unknown>)) {
      if (isTable(settings))
        for (const [backend, table] of Object.entries(settings as Record<string, unknown>)) backendTables.push([name, backend, table]);
    }
  }
  // Credentials first: they are the worse mistake, and the one to report when both are there.
  for (const [name, backend, table] of backendTables) {
    const found = findCredential(table);
    if (!found) continue;
    fail(
      ["registry", name, backend, ...found],
      "credentials are never read from wkg.toml (it is shared with everyone who clones the project)",
      `remove it, and keep it in your own config instead (\`wkg config --edit\`, under [registry.${formatKey([name])}.${backend}])${
        backend === "oci" ? ", or use `docker login` or WKG_REGISTRY_<HOST>_AUTH_BEARER" : ""
      }`,
    );
  }
  for (const [name, backend, table] of backendTables) {
    if (backend === "oci" && isTable(table)) refuseWeakTransport(name, table as Record<string, unknown>, fail);
  }
  const tables: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (doc[key] !== undefined) tables[key] = doc[key];
  return readConfigTables(tables, fail);
}

/** `protocol = "http"`, `accept_invalid_certificates = true`, `extra_root_certificates`: the user's call, not a project's. */
function refuseWeakTransport(name: string, table: Record<string, unknown>, fail: Fail): void {
  const weak =
    table.protocol === "http"
      ? "protocol"
      : table.accept_invalid_certificates === true
        ? "accept_invalid_certificates"
        : table.extra_root_certificates !== undefined
          ? "extra_root_certificates"
          : undefined;
  if (!weak) return;
  fail(
    ["registry", name, "oci", weak],
    "a project cannot lower a registry's transport security (your credentials for it would travel unprotected)",
    `if you trust this registry, set it in your own config (\`wkg config --edit\`, under [registry.${formatKey([name])}.oci]); loopback registries (localhost, 127.0.0.1) need nothing: plain http is tried for them`,
  );
}
