import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FaultProxy,
  type TestRegistry,
  type TestServer,
  cleanupTempDirs,
  startFaultProxy,
  startRegistry,
  startServer,
} from "@wasm-pkg/test-utils";
import { PrivateKey } from "@wasm-pkg/warg-backend/protocol";
import { TEST_KEYS, type WargTestServer, startWargServer } from "@wasm-pkg/warg-test-server";
import { parseLock } from "@wasm-pkg/lockfile";
import { EXAMPLES, filesUnder, home, readText, tree } from "./project.js";

const WASI = ["io", "clocks", "cli", "http"];
const helloWorld = () => readText(join(EXAMPLES, "hello", "wit", "world.wit"));

describe("wkg fetch against the real OCI registry", () => {
  let registry: TestRegistry;
  let counter: FaultProxy;
  let metadata: TestServer;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "open" });
    // A pass-through proxy in front of the registry, to count what clients download.
    counter = await startFaultProxy(registry.url);
    metadata = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ oci: { registry: counter.authority, namespacePrefix: "webassembly/" } }));
    });
    const publisher = await home(`[namespace_registries]\nwasi = "${metadata.authority}"\n`);
    for (const name of WASI) {
      const file = join(EXAMPLES, "registry", "wasi", name, "0.2.0.wasm");
      const published = await publisher.run(["publish", file]);
      expect(published.stderr).toContain(`Published wasi:${name}@0.2.0`);
    }
  });
  afterAll(async () => {
    await metadata?.close();
    await counter?.close();
    await registry?.stop();
    await cleanupTempDirs();
  });

  it("fetches wasi:http and wasi:cli through registry.json, and a warm second run downloads no content", async () => {
    const user = await home(`[namespace_registries]\nwasi = "${metadata.authority}"\n`);
    const project = await tree({ "wit/world.wit": await helloWorld() });
    const first = await user.run(["fetch"], project);
    expect(first.code).toBe(0);
    const lock = parseLock(await readText(join(project, "wkg.lock")));
    expect(lock.packages.map((p) => `${p.name} ${p.registry}`)).toEqual([
      `wasi:cli ${metadata.authority}`,
      `wasi:http ${metadata.authority}`,
    ]);
    expect(await filesUnder(join(project, "wit", "deps"))).toHaveLength(5);

    const blobGets = () => counter.requests.filter((r) => r.method === "GET" && r.path.includes("/blobs/")).length;
    const before = blobGets();
    const second = await user.run(["fetch"], project);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain("dependencies are up to date");
    expect(blobGets()).toBe(before);
  });

  it("--offline works from the lock and the warm cache with the registry gone from the config path", async () => {
    const user = await home(`[namespace_registries]\nwasi = "${metadata.authority}"\n`);
    const project = await tree({ "wit/world.wit": await helloWorld() });
    expect((await user.run(["fetch"], project)).code).toBe(0);
    const requests = counter.requests.length;
    const offline = await user.run(["fetch", "--offline"], project);
    expect(offline.code).toBe(0);
    expect(counter.requests.length).toBe(requests);
  });
});

describe("wkg fetch against a Warg registry", () => {
  let server: WargTestServer;
  beforeAll(async () => {
    server = await startWargServer({ namespaces: ["wasi", "test"] });
    for (const name of WASI) {
      const bytes = new Uint8Array(await readFile(join(EXAMPLES, "registry", "wasi", name, "0.2.0.wasm")));
      server.release(`wasi:${name}`, "0.2.0", bytes, PrivateKey.parse(TEST_KEYS.bob));
    }
  });
  afterAll(async () => {
    await server?.stop();
    await cleanupTempDirs();
  });

  it("resolves, verifies and locks WASI packages from the Warg log", async () => {
    const user = await home(`[namespace_registries]\nwasi = "${server.registry}"\n[registry."${server.registry}"]\ndefault = "warg"\n`);
    const project = await tree({ "wit/world.wit": await helloWorld() });
    const result = await user.run(["fetch"], project);
    expect(result.code).toBe(0);
    expect(parseLock(await readText(join(project, "wkg.lock"))).packages.map((p) => String(p.name))).toEqual(["wasi:cli", "wasi:http"]);
    expect((await readdir(join(project, "wit", "deps"))).sort()).toContain("wasi-http-0.2.0");
  });

  it("refuses content that does not match the log, leaving wit/deps and the lock untouched", async () => {
    const user = await home(`[namespace_registries]\nwasi = "${server.registry}"\n[registry."${server.registry}"]\ndefault = "warg"\n`);
    const project = await tree({ "wit/world.wit": await helloWorld() });
    server.misbehave("wrong-content");
    try {
      const result = await user.run(["fetch"], project);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/does not match its digest/);
      expect(await filesUnder(project)).toEqual(["wit/world.wit"]);
    } finally {
      server.misbehave(null);
    }
  });
});
