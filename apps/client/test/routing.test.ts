import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PackageRef, type WkgEvent } from "@wasm-pkg/common";
import { loadConfig } from "@wasm-pkg/config";
import { type TestServer, cleanupTempDirs, directoryBackend, startServer, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createClient } from "../src/index.js";
import { backendLog, config, seed } from "./helpers.js";

afterAll(cleanupTempDirs);
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const http = PackageRef.parse("wasi:http");
const io = PackageRef.parse("wasi:io");

/** A real registry.json on 127.0.0.1. */
async function wellKnown(document: unknown): Promise<TestServer> {
  const server = await startServer((req, res) => {
    if (req.url === "/.well-known/wasm-pkg/registry.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(document));
    } else {
      res.writeHead(404).end();
    }
  });
  servers.push(server);
  return server;
}

describe("routing", () => {
  it("lets a .well-known registry.json choose a plugin backend, fetched once per registry", async () => {
    const base = await tempDir();
    await seed(join(base, "alpha"), { "wasi:http@0.2.0": "http", "wasi:io@0.2.0": "io" });
    const server = await wellKnown({ preferredProtocol: "test", test: { dir: "alpha" } });
    const log = backendLog();
    const events: WkgEvent[] = [];
    const client = createClient({
      config: config(`default_registry = "${server.authority}"`),
      cache: false,
      backends: { test: directoryBackend({ base, log }) },
      logger: (e) => events.push(e),
    });
    expect((await client.listVersions(http)).map((v) => `${v.version}`)).toEqual(["0.2.0"]);
    const release = await client.getRelease(io, (await client.listVersions(io))[0]!.version);
    expect(await new Response(await client.streamContent(io, release)).text()).toBe("io");
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /.well-known/wasm-pkg/registry.json"]);
    expect(log.contexts).toHaveLength(1);
    expect(log.contexts[0]).toMatchObject({ registry: server.authority, protocolMetadata: { dir: "alpha" } });
    expect(events).toContainEqual({ type: "resolve", package: "wasi:http", registry: server.authority, protocol: "test" });
    await client.close();
  });

  it("uses inline metadata from the config without fetching anything", async () => {
    const base = await tempDir();
    await seed(join(base, "beta"), { "wasi:http@1.0.0": "b" });
    const server = await wellKnown({ preferredProtocol: "test", test: { dir: "alpha" } });
    const client = createClient({
      config: config(
        `[namespace_registries]\nwasi = { registry = "${server.authority}", metadata = { preferredProtocol = "test", test = { dir = "beta" } } }\n`,
      ),
      cache: false,
      backends: { test: directoryBackend({ base }) },
    });
    expect((await client.listVersions(http)).map((v) => `${v.version}`)).toEqual(["1.0.0"]);
    expect(server.requests).toEqual([]);
  });

  it("keeps one backend per registry and metadata, not one per registry name (upstream's first-metadata-wins)", async () => {
    const base = await tempDir();
    await seed(join(base, "one"), { "one:pkg@1.0.0": "from one" });
    await seed(join(base, "two"), { "two:pkg@2.0.0": "from two" });
    const log = backendLog();
    const client = createClient({
      config: config(
        [
          "[namespace_registries]",
          'one = { registry = "shared.example", metadata = { preferredProtocol = "test", test = { dir = "one" } } }',
          'two = { registry = "shared.example", metadata = { preferredProtocol = "test", test = { dir = "two" } } }',
        ].join("\n"),
      ),
      cache: false,
      backends: { test: directoryBackend({ base, log }) },
    });
    expect((await client.listVersions(PackageRef.parse("one:pkg"))).map(String)).toHaveLength(1);
    expect((await client.listVersions(PackageRef.parse("two:pkg"))).map((v) => `${v.version}`)).toEqual(["2.0.0"]);
    expect(log.calls).toEqual(["test:one list one:pkg", "test:two list two:pkg"]);
  });

  it("never lets registry metadata select the local backend", async () => {
    const server = await wellKnown({ preferredProtocol: "local", local: { root: "/" } });
    const client = createClient({ config: config(`default_registry = "${server.authority}"`), cache: false });
    await expect(client.listVersions(http)).rejects.toMatchObject({
      code: "INVALID_REGISTRY_METADATA",
      message: expect.stringContaining("'local' protocol"),
    });
  });

  it("names an unknown protocol and the ones it knows", async () => {
    const server = await wellKnown({ preferredProtocol: "carrier-pigeon", "carrier-pigeon": {} });
    const client = createClient({ config: config(`default_registry = "${server.authority}"`), cache: false });
    await expect(client.listVersions(http)).rejects.toMatchObject({
      code: "UNKNOWN_BACKEND",
      message: `unknown backend type "carrier-pigeon" for registry ${server.authority}`,
      hint: expect.stringContaining("this client can talk local"),
    });
  });

  it("falls back to defaults when registry.json is missing, and routes --registry over the config", async () => {
    const base = await tempDir();
    await seed(join(base, "x"), { "wasi:http@3.0.0": "x" });
    const server = await startServer((_req, res) => res.writeHead(404).end());
    servers.push(server);
    const client = createClient({
      config: config(
        `default_registry = "elsewhere.invalid"\n[registry."${server.authority}"]\ndefault = "test"\n[namespace_registries]\nwasi = { registry = "other.invalid", metadata = { preferredProtocol = "test", test = { dir = "wrong" } } }\n`,
      ),
      cache: false,
      backends: { test: directoryBackend({ base: join(base, "x") }) },
    });
    // The namespace's inline metadata describes other.invalid, so it must not apply to the override.
    const versions = await client.listVersions(http, { registry: server.authority });
    expect(versions.map((v) => `${v.version}`)).toEqual(["3.0.0"]);
    expect(client.registryFor(http, { registry: server.authority })).toBe(server.authority);
    expect(client.registryFor(http)).toBe("other.invalid");
    expect(server.requests.map((r) => r.path)).toEqual(["/.well-known/wasm-pkg/registry.json"]);
  });

  it("resolves a local registry's relative root against the config file's directory, without metadata", async () => {
    const dir = await tempDir();
    await seed(join(dir, "registry"), { "example:pkg@1.0.0": "local" });
    await mkdir(join(dir, "elsewhere"));
    await writeFile(
      join(dir, "config.toml"),
      'default_registry = "files.example"\n[registry."files.example"]\ndefault = "local"\n[registry."files.example".local]\nroot = "registry"\n',
    );
    const loaded = await loadConfig({ configFile: join(dir, "config.toml"), env: {} });
    const client = createClient({ config: loaded, cache: false });
    const pkg = PackageRef.parse("example:pkg");
    const release = await client.getRelease(pkg, (await client.selectVersion(pkg, undefined)).version);
    expect(await new Response(await client.streamContent(pkg, release)).text()).toBe("local");
  });
});
