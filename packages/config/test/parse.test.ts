import { describe, expect, it } from "vitest";
import { PackageRef, isWkgError } from "@wasm-pkg/common";
import { configToToml, defaultBackend, mergeConfig, parseConfig, registryConfig, resolveRegistry, builtinConfig } from "../src/index.js";

// Every key of upstream's annotated README example, in the shapes it documents.
const ANNOTATED = `
# The default registry to use when none is mapped.
default_registry = "acme.registry.com"

[namespace_registries]
# A namespace mapped to a registry by name.
wasi = "wasi.dev"
# A namespace with inline metadata instead of a .well-known fetch.
example = { registry = "example.com", metadata = { preferredProtocol = "oci", oci = { registry = "ghcr.io", namespacePrefix = "example/" } } }

[package_registry_overrides]
"example:foo" = "example.com"
"example:bar" = { registry = "ghcr.io", metadata = { ociRegistry = "ghcr.io", ociNamespacePrefix = "bar/" } }

[registry."acme.registry.com"]
default = "warg"
[registry."acme.registry.com".warg]
config_file = "/path/to/warg/config.json"
auth_token = "this-is-a-token"

[registry."example.com"]
type = "oci"
[registry."example.com".oci]
auth = { username = "open", password = "sesame" }
protocol = "https"

[registry."ghcr.io".oci]
auth = "b3BlbjpzZXNhbWU="

[registry."my-local"]
default = "local"
[registry."my-local".local]
root = "/a/path"
`;

describe("parseConfig", () => {
  it("reads every key of upstream's annotated example", () => {
    const { config, keys } = parseConfig(ANNOTATED, "c.toml");
    expect(config.defaultRegistry).toBe("acme.registry.com");
    expect(config.namespaceRegistries.wasi).toEqual({ registry: "wasi.dev" });
    expect(config.namespaceRegistries.example?.metadata).toEqual({
      preferredProtocol: "oci",
      oci: { registry: "ghcr.io", namespacePrefix: "example/" },
    });
    expect(config.packageRegistryOverrides["example:bar"]?.metadata).toEqual({ ociRegistry: "ghcr.io", ociNamespacePrefix: "bar/" });
    expect(config.registries["acme.registry.com"]).toEqual({
      default: "warg",
      backends: { warg: { config_file: "/path/to/warg/config.json", auth_token: "this-is-a-token" } },
    });
    expect(config.registries["example.com"]?.default).toBe("oci");
    expect(config.registries["ghcr.io"]?.backends.oci).toEqual({ auth: "b3BlbjpzZXNhbWU=" });
    expect(keys).toContain("registry.my-local.local");
  });

  it("round-trips through configToToml", () => {
    const { config } = parseConfig(ANNOTATED);
    expect(parseConfig(configToToml(config)).config).toEqual(config);
  });

  it.each([
    ["default_registry = [", /c\.toml:1:\d+: /],
    ["x = 1\n[a\n", /c\.toml:2:\d+: /],
  ])("names file, line and column for malformed TOML %#", (text, message) => {
    expect(() => parseConfig(text, "c.toml")).toThrow(message);
  });

  it.each([
    ["default_registry = 5", /c\.toml:1: default_registry: expected a registry name string, found a number \(5\)/],
    ["\n\nunknown_key = true", /c\.toml:3: unknown_key: unknown key/],
    ['[namespace_registries]\nWasi = "wasi.dev"', /c\.toml:2: namespace_registries\.Wasi: invalid namespace/],
    ["[namespace_registries]\nwasi = 3", /c\.toml:2: namespace_registries\.wasi: expected a registry name or/],
    ['[namespace_registries]\nwasi = "https://wasi.dev"', /namespace_registries\.wasi: invalid registry .* has a scheme/],
    ['[package_registry_overrides]\n"a:b:c" = "x.com"', /c\.toml:2: package_registry_overrides\."a:b:c": invalid package name/],
    ['[namespace_registries]\nwasi = { registry = "x.com", extra = 1 }', /namespace_registries\.wasi\.extra: unknown key/],
    ["[namespace_registries]\nwasi = { metadata = {} }", /namespace_registries\.wasi: missing `registry`/],
    ['[registry."x.com"]\noci = "http"', /c\.toml:2: registry\."x\.com"\.oci: expected a \[registry/],
    ['[registry."x.com"]\ndefault = 1', /registry\."x\.com"\.default: expected a backend name string/],
    ['[registry."x.com"]\ndefault = "oci"\ntype = "local"', /both `default` and `type` are set/],
    ['[registry."not a host"]\ndefault = "oci"', /c\.toml:1: registry\."not a host": invalid registry/],
    ["registry = 1", /registry: expected a table/],
  ])("gives file, line and key for a wrong value %#", (text, message) => {
    let caught: unknown;
    try {
      parseConfig(text, "c.toml");
    } catch (error) {
      caught = error;
    }
    expect(isWkgError(caught, "INVALID_CONFIG")).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});

describe("resolveRegistry", () => {
  const layered = () => mergeConfig(builtinConfig(), parseConfig(ANNOTATED).config);
  const pkg = (s: string) => PackageRef.parse(s);

  it("prefers a package override, then the namespace, then the default, then built-ins", () => {
    const config = layered();
    expect(resolveRegistry(config, pkg("example:bar"))).toMatchObject({ registry: "ghcr.io", source: "package override" });
    expect(resolveRegistry(config, pkg("example:other"))).toMatchObject({ registry: "example.com", source: "namespace" });
    expect(resolveRegistry(config, pkg("foo:bar"))).toMatchObject({ registry: "acme.registry.com", source: "default registry" });
    // The default registry wins over the built-in `ba` fallback.
    expect(resolveRegistry(config, pkg("ba:x"))).toMatchObject({ registry: "acme.registry.com" });
    const bare = builtinConfig();
    expect(resolveRegistry(bare, pkg("ba:x"))).toMatchObject({ registry: "bytecodealliance.org", source: "built-in" });
    expect(resolveRegistry(bare, pkg("wasi:io"))).toMatchObject({ registry: "wasi.dev", source: "built-in" });
  });

  it("says how to fix a namespace with no registry", () => {
    let caught: unknown;
    try {
      resolveRegistry(builtinConfig(), pkg("acme:thing"));
    } catch (error) {
      caught = error;
    }
    expect(isWkgError(caught, "NO_REGISTRY_FOR_NAMESPACE")).toBe(true);
    expect((caught as Error).message).toBe('no registry configured for namespace "acme"');
    expect((caught as { hint: string }).hint).toContain("--default-registry");
  });
});

describe("registry config", () => {
  it("picks the default backend: explicit, else the only table, else none", () => {
    const { config } = parseConfig(`${ANNOTATED}\n[registry."two.com".oci]\n[registry."two.com".warg]\n`);
    expect(defaultBackend(registryConfig(config, "example.com"))).toBe("oci");
    expect(defaultBackend(registryConfig(config, "ghcr.io"))).toBe("oci");
    expect(defaultBackend(registryConfig(config, "two.com"))).toBeUndefined();
    expect(defaultBackend(registryConfig(config, "unknown.com"))).toBeUndefined();
  });

  it("merges backend tables shallowly by key, as upstream", () => {
    const a = parseConfig('[registry."r.com".oci]\nprotocol = "http"\nauth = "x"').config;
    const b = parseConfig(
      'default_registry = "r.com"\n[registry."r.com"]\ndefault = "oci"\n[registry."r.com".oci]\nprotocol = "https"',
    ).config;
    const merged = mergeConfig(a, b);
    expect(merged.registries["r.com"]).toEqual({ default: "oci", backends: { oci: { protocol: "https", auth: "x" } } });
    expect(merged.defaultRegistry).toBe("r.com");
  });
});
