import { describe, expect, it } from "vitest";
import { parseManifest, serializeManifest } from "../src/index.js";

const TEXT = `default_registry = "project.example"

[overrides]
"acme:local" = { path = "../local" }

[namespace_registries]
acme = "acme.example"
meta = { registry = "meta.example", metadata = { preferredProtocol = "oci" } }

[package_registry_overrides]
"acme:pinned" = "pinned.example"

[registry."files".local]
root = "vendor/registry"
`;

describe("wkg.toml registry tables", () => {
  it("are kept as written next to the manifest's own keys", () => {
    const manifest = parseManifest(TEXT, "wkg.toml");
    expect(manifest.overrides["acme:local"]?.path).toBe("../local");
    expect(manifest.registries).toEqual({
      default_registry: "project.example",
      namespace_registries: { acme: "acme.example", meta: { registry: "meta.example", metadata: { preferredProtocol: "oci" } } },
      package_registry_overrides: { "acme:pinned": "pinned.example" },
      registry: { files: { local: { root: "vendor/registry" } } },
    });
    expect(parseManifest('[metadata]\nauthors = "me"\n').registries).toBeUndefined();
  });

  it("survive a rewrite of the manifest, default_registry staying at the top level", () => {
    const manifest = parseManifest(TEXT, "wkg.toml");
    const written = serializeManifest({ ...manifest, metadata: { authors: "me" } });
    expect(written.startsWith('default_registry = "project.example"\n')).toBe(true);
    const again = parseManifest(written);
    expect(again.registries).toEqual(manifest.registries);
    expect(again.metadata).toEqual({ authors: "me" });
  });

  it("sit beside a workspace root's [workspace]", () => {
    const manifest = parseManifest('[workspace]\nmembers = ["a"]\n\n[namespace_registries]\nacme = "acme.example"\n');
    expect(manifest.workspace?.members).toEqual(["a"]);
    expect(manifest.registries).toEqual({ namespace_registries: { acme: "acme.example" } });
  });

  it("name themselves in the unknown-key hint", () => {
    let caught: unknown;
    try {
      parseManifest('[registries]\nacme = "x"\n', "w.toml");
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toBe("invalid manifest: w.toml:1: registries: unknown key");
    expect((caught as { hint: string }).hint).toContain("[namespace_registries]");
  });
});
