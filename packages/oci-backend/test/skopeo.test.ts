import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { Digest } from "@wasm-pkg/common";
import { type RegistryMode, type TestRegistry, cleanupTempDirs, ensureCommands, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OCI_MANIFEST, OciClient, WASM_CONFIG, WASM_LAYER, buildConfig, buildManifest } from "../src/index.js";
import { fakeComponent, readAll, sameBytes, sha256, uniqueRepo } from "./helpers.js";

const run = promisify(execFile);

afterAll(cleanupTempDirs);

/**
 * skopeo (Debian) is the independent peer: it must read what we push with the right media
 * types, and we must pull what it pushes.
 */
describe.each(["open", "basic", "token", "tls"] as RegistryMode[])("skopeo as the peer client (%s)", (mode) => {
  let registry: TestRegistry;
  let client: OciClient;
  let creds: string[];

  beforeAll(async () => {
    await ensureCommands(["skopeo"]);
    registry = await startRegistry({ mode });
    client = new OciClient({
      env: {},
      dockerConfig: false,
      ...(registry.username ? { credentials: { username: registry.username, password: registry.password as string } } : {}),
      ...(registry.caCert ? { ca: [registry.caCert] } : {}),
    });
    creds = registry.username ? [`--creds=${registry.username}:${registry.password}`] : [];
  });
  afterAll(async () => {
    await client?.close();
    await registry?.stop();
  });

  const skopeo = async (...args: string[]) => {
    // A private home keeps skopeo's auth file and caches out of the way of other tests.
    const home = await tempDir("wkg-skopeo-");
    const { stdout } = await run("skopeo", args, {
      env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: home },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  };

  it("reads what we push: exact manifest bytes, the wasm config, the layer", async () => {
    const repo = `${registry.registry}/${uniqueRepo()}`;
    const bytes = fakeComponent(70_000);
    const pushed = await client.push(`${repo}:0.3.0`, bytes, {
      title: "demo.wasm",
      annotations: { "org.opencontainers.image.description": "cross-check" },
    });

    const raw = await skopeo("inspect", "--raw", "--tls-verify=false", ...creds, `docker://${repo}:0.3.0`);
    expect(Digest.of(raw).toString()).toBe(pushed.manifestDigest.toString());
    const manifest = JSON.parse(raw);
    expect(manifest.mediaType).toBe(OCI_MANIFEST);
    expect(manifest.config.mediaType).toBe(WASM_CONFIG);
    expect(manifest.layers).toEqual([
      { mediaType: WASM_LAYER, digest: sha256(bytes), size: bytes.length, annotations: { "org.opencontainers.image.title": "demo.wasm" } },
    ]);
    expect(manifest.annotations["org.opencontainers.image.description"]).toBe("cross-check");

    const config = JSON.parse(await skopeo("inspect", "--config", "--raw", "--tls-verify=false", ...creds, `docker://${repo}:0.3.0`));
    expect(config).toMatchObject({ architecture: "wasm", os: "wasip2", layerDigests: [sha256(bytes)] });

    const dir = join(await tempDir(), "copy");
    await skopeo(
      "copy",
      "--src-tls-verify=false",
      ...(registry.username ? [`--src-creds=${registry.username}:${registry.password}`] : []),
      `docker://${repo}@${pushed.manifestDigest}`,
      `dir:${dir}`,
    );
    expect(sameBytes(await readFile(join(dir, sha256(bytes).slice("sha256:".length))), bytes)).toBe(true);
    expect(Digest.of(await readFile(join(dir, "manifest.json"))).toString()).toBe(pushed.manifestDigest.toString());
  });

  it("pulls what skopeo pushes", async () => {
    const bytes = fakeComponent(90_000);
    const layer = Digest.of(bytes);
    const config = buildConfig({ os: "wasip2", layerDigest: layer, created: "2024-01-01T00:00:00Z" });
    const configDigest = Digest.of(config);
    const manifest = buildManifest({
      config: { digest: configDigest, size: config.length },
      layer: { digest: layer, size: bytes.length },
      annotations: { "org.opencontainers.image.version": "1.2.3" },
    });
    const dir = join(await tempDir(), "layout");
    await mkdir(dir);
    await writeFile(join(dir, "version"), "Directory Transport Version: 1.1\n");
    await writeFile(join(dir, "manifest.json"), manifest);
    await writeFile(join(dir, layer.hex), bytes);
    await writeFile(join(dir, configDigest.hex), config);

    const repo = `${registry.registry}/${uniqueRepo()}`;
    await skopeo(
      "copy",
      "--dest-tls-verify=false",
      ...(registry.username ? [`--dest-creds=${registry.username}:${registry.password}`] : []),
      `dir:${dir}`,
      `docker://${repo}:1.2.3`,
    );

    expect(await client.listTags(repo)).toEqual(["1.2.3"]);
    const pulled = await client.pull(`${repo}:1.2.3`);
    expect(pulled.manifestDigest.toString()).toBe(Digest.of(manifest).toString());
    expect(pulled.config).toMatchObject({ os: "wasip2", created: "2024-01-01T00:00:00Z" });
    expect(pulled.manifest.annotations).toEqual({ "org.opencontainers.image.version": "1.2.3" });
    expect(sameBytes(await readAll(pulled.content), bytes)).toBe(true);
  });
});
