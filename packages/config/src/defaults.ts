import { type Config, emptyConfig } from "./types.js";

/** Upstream's hard-coded namespace fallbacks; consulted after `default_registry`, never written out. */
export const BUILTIN_NAMESPACE_REGISTRIES: Readonly<Record<string, string>> = Object.freeze({
  wasi: "wasi.dev",
  ba: "bytecodealliance.org",
});

export function builtinConfig(): Config {
  return { ...emptyConfig(), fallbacks: { ...BUILTIN_NAMESPACE_REGISTRIES } };
}

/** What `wkg config --edit` starts from when there is no file yet: every key, commented. */
export const CONFIG_TEMPLATE = `# wkg configuration. Every key is optional; see https://github.com/bytecodealliance/wasm-pkg-tools
#
# The registry used for namespaces that are not mapped below.
# default_registry = "example.com"
#
# [namespace_registries]
# wasi = "wasi.dev"                       # a registry name...
# my-ns = { registry = "my-ns.example.com", metadata = { preferredProtocol = "oci", oci = { registry = "ghcr.io", namespacePrefix = "my-org/" } } }
#
# [package_registry_overrides]
# "example:pkg" = "localhost:5000"
#
# [registry."localhost:5000"]
# default = "oci"                         # or "local", "warg"
# [registry."localhost:5000".oci]
# protocol = "http"
# auth = { username = "me", password = "secret" }
# [registry."my-files".local]
# root = "/path/to/registry"
`;
