import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isWkgError } from "@wasm-pkg/common";
import { type RegistryMode, type TestRegistry, cleanupTempDirs, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciClient, OciReference, WASM_CONFIG, WASM_LAYER, OCI_MANIFEST } from "../src/index.js";
import { FIXTURE, fakeComponent, fakeModule, readAll, sameBytes, sha256, uniqueRepo } from "./helpers.js";

afterAll(cleanupTempDirs);

const MODES: RegistryMode[] = ["open", "basic", "token", "tls"];

describe.each(MODES)("against the real registry (%s)", (mode) => {
  let registry: TestRegistry;
  let client: OciClient;

  beforeAll(async () => {
    registry = await startRegistry({ mode });
    client = new OciClient({
      env: {},
      dockerConfig: false,
      ...(registry.username ? { credentials: { username: registry.username, password: registry.password as string } } : {}),
      ...(registry.caCert ? { ca: [registry.caCert] } : {}),
    });
  });
  afterAll(async () => {
    await client?.close();
    await registry?.stop();
  });

  it("pushes a component, lists its tag and pulls it back by tag and by digest", async () => {
    const repo = `${registry.registry}/${uniqueRepo()}`;
    const pushed = await client.push(`${repo}:0.2.0`, FIXTURE, { title: "http.wasm" });
    expect(pushed.manifestDigest.toString()).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pushed.layer.digest.toString()).toBe(sha256(FIXTURE));
    expect(pushed.uploaded).toEqual({ layer: true, config: true });
    expect(pushed.reference.toString()).toBe(`${repo}:0.2.0@${pushed.manifestDigest}`);

    expect(await client.listTags(repo)).toEqual(["0.2.0"]);

    const byTag = await client.pull(`${repo}:0.2.0`);
    expect(byTag.manifestDigest.equals(pushed.manifestDigest)).toBe(true);
    expect(sameBytes(await readAll(byTag.content), FIXTURE)).toBe(true);
    expect(byTag.manifest.mediaType).toBe(OCI_MANIFEST);
    expect(byTag.manifest.config.mediaType).toBe(WASM_CONFIG);
    expect(byTag.manifest.layers).toEqual([
      {
        mediaType: WASM_LAYER,
        digest: sha256(FIXTURE),
        size: FIXTURE.length,
        annotations: { "org.opencontainers.image.title": "http.wasm" },
      },
    ]);
    expect(byTag.config).toMatchObject({ architecture: "wasm", os: "wasip2", layerDigests: [sha256(FIXTURE)] });

    const byDigest = await client.pull(`${repo}@${pushed.manifestDigest}`);
    expect(sameBytes(await readAll(byDigest.content), FIXTURE)).toBe(true);
  });

  it("re-pushing the same bytes is a no-op with the same manifest digest", async () => {
    const repo = `${registry.registry}/${uniqueRepo()}`;
    const bytes = fakeComponent(4096);
    const first = await client.push(`${repo}:1.0.0`, bytes, { annotations: { "org.opencontainers.image.description": "demo" } });
    const again = await client.push(`${repo}:1.0.0`, bytes, { annotations: { "org.opencontainers.image.description": "demo" } });
    expect(again.manifestDigest.equals(first.manifestDigest)).toBe(true);
    expect(again.unchanged).toBe(true);
    // Another tag: the blobs are already there, only the manifest is written.
    const other = await client.push(`${repo}:1.0.1`, bytes, { annotations: { "org.opencontainers.image.description": "demo" } });
    expect(other.manifestDigest.equals(first.manifestDigest)).toBe(true);
    expect(other.uploaded).toEqual({ layer: false, config: false });
    expect((await client.listTags(repo)).sort()).toEqual(["1.0.0", "1.0.1"]);
  });

  it("gives a different digest when the metadata differs, and the tag moves to it", async () => {
    const repo = `${registry.registry}/${uniqueRepo()}`;
    const bytes = fakeComponent(2048);
    const a = await client.push(`${repo}:1.0.0`, bytes, { env: { SOURCE_DATE_EPOCH: "1700000000" } });
    const b = await client.push(`${repo}:1.0.0`, bytes, { env: { SOURCE_DATE_EPOCH: "1700000001" } });
    expect(a.manifestDigest.equals(b.manifestDigest)).toBe(false);
    const pulled = await client.resolve(`${repo}:1.0.0`);
    expect(pulled.manifestDigest.equals(b.manifestDigest)).toBe(true);
    expect(pulled.manifest.annotations?.["org.opencontainers.image.created"]).toBe("2023-11-14T22:13:21Z");
    expect(pulled.config?.created).toBe("2023-11-14T22:13:21Z");
  });

  it("marks core modules wasip1", async () => {
    const repo = `${registry.registry}/${uniqueRepo()}`;
    await client.push(`${repo}:0.1.0`, fakeModule(512));
    expect((await client.resolve(`${repo}:0.1.0`)).config?.os).toBe("wasip1");
  });

  it("pulls to a file atomically", async () => {
    const repo = `${registry.registry}/${uniqueRepo()}`;
    const bytes = fakeComponent(100_000);
    await client.push(`${repo}:3.0.0`, bytes);
    const dir = await tempDir();
    const path = join(dir, "out.wasm");
    await client.pullToFile(`${repo}:3.0.0`, path);
    expect(sameBytes(await readFile(path), bytes)).toBe(true);
  });

  it("says which tag or repository is missing", async () => {
    const repo = `${registry.registry}/${uniqueRepo()}`;
    await client.push(`${repo}:1.0.0`, fakeComponent(64));
    const missingTag = await client.resolve(`${repo}:9.9.9`).catch((e: unknown) => e);
    expect(isWkgError(missingTag, "VERSION_NOT_FOUND")).toBe(true);
    expect((missingTag as Error).message).toContain(`${repo}:9.9.9`);

    const missingRepo = await client.listTags(`${registry.registry}/${uniqueRepo()}`).catch((e: unknown) => e);
    expect(isWkgError(missingRepo, "PACKAGE_NOT_FOUND")).toBe(true);
  });

  it("uploads in chunks when asked, honouring the registry's Range answers", async () => {
    const repo = `${registry.registry}/${uniqueRepo()}`;
    const bytes = fakeComponent(3 * 1024 * 1024 + 17);
    const pushed = await client.push(`${repo}:1.0.0`, bytes, { upload: { mode: "chunked", chunkSize: 1024 * 1024 } });
    const pulled = await client.pull(OciReference.parse(`${repo}@${pushed.manifestDigest}`));
    expect(sameBytes(await readAll(pulled.content), bytes)).toBe(true);
  });
});
