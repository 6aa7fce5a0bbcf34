import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cleanupTempDirs, fakeInspector, fakeWasm, startServer, tempDir } from "@wasm-pkg/test-utils";
import { TEST_KEYS, type WargTestServer, startWargServer } from "@wasm-pkg/warg-test-server";
import { PrivateKey } from "@wasm-pkg/warg-backend/protocol";
import { wkg } from "./run.js";

afterAll(cleanupTempDirs);
const servers: WargTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function setup(configFor: (server: WargTestServer) => string, options: Parameters<typeof startWargServer>[0] = {}) {
  const server = await startWargServer(options);
  servers.push(server);
  const dir = await tempDir();
  const configPath = join(dir, "config.toml");
  await writeFile(configPath, configFor(server));
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, "xdg"), WKG_CONFIG_FILE: configPath, WKG_CACHE_DIR: join(dir, "cache") };
  return { server, dir, env };
}

const configured = (server: WargTestServer) => `
[namespace_registries]
test = "${server.registry}"

[registry."${server.registry}"]
default = "warg"

[registry."${server.registry}".warg]
signing_key = "${TEST_KEYS.alice}"
`;

// A WIT decoder stand-in: these tests are about the Warg path, not WIT.
const extra = { inspector: fakeInspector };

describe("wkg against a Warg registry", () => {
  it("publishes with a signing key from config, then gets the verified release back", async () => {
    const { dir, env } = await setup(configured);
    const file = join(dir, "hello.wasm");
    const bytes = fakeWasm({ kind: "component", package: "test:hello@1.0.0" });
    await writeFile(file, bytes);
    const published = await wkg(["publish", file], env, dir, extra);
    expect(published.stderr).toContain("test:hello@1.0.0");
    expect(published.code).toBe(0);

    const got = await wkg(["get", "test:hello", "-o", join(dir, "out") + "/"], env, dir, extra);
    expect(got.code).toBe(0);
    expect(await readFile(join(dir, "out", "test_hello@1.0.0.wasm"))).toEqual(Buffer.from(bytes));
  });

  it("finds the Warg URL through registry.json and reads a release another client published", async () => {
    const { server, dir, env } = await setup((s) => `[namespace_registries]\ntest = "${s.registry}"\n`, {
      wellKnown: { preferredProtocol: "warg" },
    });
    server.release("test:greeting", "0.1.0", new TextEncoder().encode("hi there"), PrivateKey.parse(TEST_KEYS.bob));
    server.release("test:greeting", "0.2.0", new TextEncoder().encode("hello there"), PrivateKey.parse(TEST_KEYS.bob));
    const got = await wkg(["get", "test:greeting@^0.1", "-o", join(dir, "g.wasm"), "--json"], env, dir, extra);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ ok: true, version: "0.1.0" });
    expect(await readFile(join(dir, "g.wasm"), "utf8")).toBe("hi there");
  });

  it("follows registry.json's warg.url to a Warg server on another host", async () => {
    const server = await startWargServer();
    servers.push(server);
    const meta = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ warg: { url: server.url } }));
    });
    try {
      const dir = await tempDir();
      await writeFile(join(dir, "config.toml"), `[namespace_registries]\ntest = "${meta.authority}"\n`);
      const env = { HOME: dir, WKG_CONFIG_FILE: join(dir, "config.toml"), WKG_CACHE_DIR: join(dir, "cache") };
      server.release("test:elsewhere", "1.0.0", new TextEncoder().encode("from the log"), PrivateKey.parse(TEST_KEYS.bob));
      const got = await wkg(["get", "test:elsewhere@1.0.0", "-o", join(dir, "e.wasm")], env, dir, extra);
      expect(got.code).toBe(0);
      expect(await readFile(join(dir, "e.wasm"), "utf8")).toBe("from the log");
      expect(meta.requests.map((r) => r.path)).toEqual(["/.well-known/wasm-pkg/registry.json"]);
    } finally {
      await meta.close();
    }
  });

  it("refuses content that does not match the log and writes nothing", async () => {
    const { server, dir, env } = await setup(configured);
    server.release("test:thing", "1.0.0", new TextEncoder().encode("real"), PrivateKey.parse(TEST_KEYS.bob));
    server.misbehave("wrong-content");
    const got = await wkg(["get", "test:thing@1.0.0", "-o", join(dir, "out.wasm")], env, dir, extra);
    expect(got.code).toBe(1);
    expect(got.stderr).toMatch(/does not match its digest/);
    expect(await readdir(dir)).not.toContain("out.wasm");
  });

  it("detects a rolled-back checkpoint after a good one and writes nothing", async () => {
    const { server, dir, env } = await setup(configured);
    server.release("test:thing", "1.0.0", new TextEncoder().encode("v1"), PrivateKey.parse(TEST_KEYS.bob));
    server.release("test:thing", "1.1.0", new TextEncoder().encode("v2"), PrivateKey.parse(TEST_KEYS.bob));
    // This run verifies and remembers the newest checkpoint...
    expect((await wkg(["get", "test:thing", "-o", join(dir, "a.wasm")], env, dir, extra)).code).toBe(0);
    // ...so an older one served later is a rollback, even to a fresh process.
    server.misbehave("rollback");
    const got = await wkg(["get", "test:thing", "-o", join(dir, "b.wasm")], env, dir, extra);
    expect(got.code).toBe(1);
    expect(got.stderr).toMatch(/error: .*rolled back/);
    expect(await readdir(dir)).not.toContain("b.wasm");
  });
});
