import { Digest, isWkgError } from "@wasm-pkg/common";
import { describe, expect, it } from "vitest";
import {
  EPOCH,
  buildConfig,
  buildManifest,
  canonicalJson,
  osFor,
  parseManifestDocument,
  resolveCreated,
  wasmKind,
  wasmLayerOf,
} from "../src/index.js";
import { FIXTURE, fakeComponent, fakeModule } from "./helpers.js";

const enc = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const dec = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

function asManifest(doc: ReturnType<typeof parseManifestDocument>) {
  if (doc.kind !== "manifest") throw new Error(`expected an image manifest, got an ${doc.kind}`);
  return doc.manifest;
}

function catching(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("canonicalJson", () => {
  it("sorts keys at every depth, drops undefined, adds no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, é: "x" })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"é":"x"}',
    );
  });
});

describe("the Wasm OCI artifact we write", () => {
  it("builds the config and manifest upstream readers expect", () => {
    const layer = Digest.of(FIXTURE);
    const config = buildConfig({ os: "wasip2", layerDigest: layer, author: "Ada", component: { imports: ["b", "a"], exports: ["z"] } });
    expect(JSON.parse(dec(config))).toEqual({
      created: EPOCH,
      author: "Ada",
      architecture: "wasm",
      os: "wasip2",
      layerDigests: [layer.toString()],
      component: { exports: ["z"], imports: ["a", "b"], target: null },
    });
    const manifest = buildManifest({
      config: { digest: Digest.of(config), size: config.length },
      layer: { digest: layer, size: FIXTURE.length, title: "http.wasm" },
      annotations: { "org.opencontainers.image.version": "0.2.0" },
    });
    expect(JSON.parse(dec(manifest))).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.wasm.config.v0+json", digest: Digest.of(config).toString(), size: config.length },
      layers: [
        {
          mediaType: "application/wasm",
          digest: layer.toString(),
          size: FIXTURE.length,
          annotations: { "org.opencontainers.image.title": "http.wasm" },
        },
      ],
      annotations: { "org.opencontainers.image.version": "0.2.0" },
    });
    // Canonical: no whitespace, keys sorted.
    expect(dec(manifest)).not.toMatch(/\s/);
    expect(dec(manifest).indexOf('"annotations"')).toBeLessThan(dec(manifest).indexOf('"config"'));
  });

  it("leaves out the annotations object when there are none", () => {
    const manifest = buildManifest({ config: { digest: Digest.parse(D1), size: 1 }, layer: { digest: Digest.parse(D2), size: 2 } });
    expect(JSON.parse(dec(manifest)).annotations).toBeUndefined();
  });

  it("takes created from the explicit value, SOURCE_DATE_EPOCH, then the annotation", () => {
    expect(resolveCreated({ created: "2020-01-01T00:00:00Z", env: { SOURCE_DATE_EPOCH: "0" } })).toBe("2020-01-01T00:00:00Z");
    expect(resolveCreated({ env: { SOURCE_DATE_EPOCH: "1700000000" } })).toBe("2023-11-14T22:13:20Z");
    expect(resolveCreated({ env: {}, annotations: { "org.opencontainers.image.created": "2021-05-05T05:05:05Z" } })).toBe(
      "2021-05-05T05:05:05Z",
    );
    expect(resolveCreated({ env: {} })).toBeUndefined();
    expect(
      isWkgError(
        catching(() => resolveCreated({ env: { SOURCE_DATE_EPOCH: "yesterday" } })),
        "INVALID_CONFIG",
      ),
    ).toBe(true);
  });
});

describe("wasmKind", () => {
  it("tells components from modules by the header", () => {
    expect(wasmKind(fakeComponent(8))).toBe("component");
    expect(wasmKind(FIXTURE.subarray(0, 8))).toBe("component");
    expect(wasmKind(fakeModule(8))).toBe("module");
    expect([osFor("component"), osFor("module")]).toEqual(["wasip2", "wasip1"]);
  });

  it("refuses what is not wasm, saying so", () => {
    for (const bytes of [enc("package a:b;"), new Uint8Array(), Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])]) {
      const error = catching(() => wasmKind(bytes, "x.wasm"));
      expect(isWkgError(error, "INVALID_COMPONENT")).toBe(true);
      expect((error as Error).message).toContain("x.wasm");
    }
  });
});

describe("reading manifests leniently", () => {
  const manifest = (layers: unknown[], extra: Record<string, unknown> = {}) =>
    enc({ schemaVersion: 2, config: { mediaType: "application/vnd.wasm.config.v0+json", digest: D1, size: 10 }, layers, ...extra });

  it("accepts a manifest without a mediaType field and older wasm layer types", () => {
    const doc = parseManifestDocument(
      manifest([{ mediaType: "application/vnd.wasm.content.layer.v1+wasm", digest: D2, size: 5 }]),
      "application/vnd.oci.image.manifest.v1+json",
      "src",
    );
    expect(wasmLayerOf(asManifest(doc), "src")).toMatchObject({ digest: D2, size: 5 });
  });

  it("ignores non-wasm layers but refuses zero or several wasm layers", () => {
    const one = parseManifestDocument(
      manifest([
        { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: D1, size: 1 },
        { mediaType: "application/wasm", digest: D2, size: 2 },
      ]),
      undefined,
      "src",
    );
    expect(wasmLayerOf(asManifest(one), "src").digest).toBe(D2);
    const none = parseManifestDocument(manifest([{ mediaType: "text/plain", digest: D1, size: 1 }]), undefined, "src");
    expect((catching(() => wasmLayerOf(asManifest(none), "src")) as Error).message).toContain("no wasm layer");
    const two = parseManifestDocument(
      manifest([
        { mediaType: "application/wasm", digest: D1, size: 1 },
        { mediaType: "application/wasm", digest: D2, size: 2 },
      ]),
      undefined,
      "src",
    );
    const error = catching(() => wasmLayerOf(asManifest(two), "src"));
    expect(isWkgError(error, "INVALID_MANIFEST")).toBe(true);
    expect((error as Error).message).toContain("2 wasm layers");
  });

  it("recognises image indexes", () => {
    const doc = parseManifestDocument(
      enc({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: D1,
            size: 3,
            platform: { architecture: "wasm", os: "wasip2" },
          },
        ],
      }),
      undefined,
      "src",
    );
    expect(doc.kind).toBe("index");
  });

  it.each([
    ["not json", "it is not JSON"],
    [JSON.stringify({ schemaVersion: 1 }), "unsupported schemaVersion 1"],
    [
      JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.v1+prettyjws" }),
      "unsupported manifest media type",
    ],
    [JSON.stringify({ schemaVersion: 2, config: { mediaType: "x", digest: "sha512:ab", size: 1 }, layers: [] }), "invalid digest"],
    [JSON.stringify({ schemaVersion: 2, config: { mediaType: "x", digest: D1, size: -1 }, layers: [] }), "invalid size"],
  ])("rejects %s", (text, message) => {
    const error = catching(() => parseManifestDocument(enc(text), undefined, "reg/x:1"));
    expect(isWkgError(error, "INVALID_MANIFEST")).toBe(true);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain("reg/x:1");
  });
});
