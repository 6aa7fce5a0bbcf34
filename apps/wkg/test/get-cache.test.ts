import { randomBytes } from "node:crypto";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Digest } from "@wasm-pkg/common";
import { type TestServer, cleanupTempDirs, directoryBackend, hostileBackend, startServer, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { runWkg, spawnWkg } from "./helpers.js";
import { filesUnder, seed, workspace } from "./workspace.js";

afterAll(cleanupTempDirs);
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** `<cache>/wkg-ts/content-v1/sha256/ab/cd/<hex>` */
function cacheEntry(cache: string, digest: Digest): string {
  return join(cache, "wkg-ts", "content-v1", "sha256", digest.hex.slice(0, 2), digest.hex.slice(2, 4), digest.hex);
}

/**
 * A registry on 127.0.0.1 whose `.well-known/wasm-pkg/registry.json` selects the `test` plugin
 * protocol; its packages live in `<base>/remote` (the plugin reads the directory from the metadata).
 */
async function remoteRegistry(files: Record<string, string>) {
  const base = await tempDir();
  await seed(join(base, "remote"), files);
  const server = await startServer((req, res) => {
    if (req.url === "/.well-known/wasm-pkg/registry.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ preferredProtocol: "test", test: { dir: "remote" } }));
    } else res.writeHead(404).end();
  });
  servers.push(server);
  const log = { calls: [] as string[], contexts: [] };
  const backends = { test: directoryBackend({ base, log }) };
  const dir = await tempDir();
  const config = join(dir, "config.toml");
  await writeFile(config, `default_registry = "${server.authority}"\n`);
  const cache = join(dir, "cache");
  const env = { HOME: dir, WKG_CONFIG_FILE: config, WKG_CACHE_DIR: cache };
  const run = (argv: string[], extraEnv: Record<string, string> = {}) => runWkg(argv, { env: { ...env, ...extraEnv }, cwd: dir, backends });
  return { server, log, dir, config, cache, run };
}

describe("wkg get through a .well-known registry", () => {
  it("routes to the protocol the registry's registry.json names", async () => {
    const r = await remoteRegistry({ "example:pkg@1.0.0": "remote one" });
    const result = await r.run(["get", "example:pkg@1.0.0", "-o", "out.wasm", "-v"]);
    expect(result.stderr).toContain(`resolve: example:pkg -> ${r.server.authority} (test)`);
    expect(result.code).toBe(0);
    expect(await readFile(join(r.dir, "out.wasm"), "utf8")).toBe("remote one");
    expect(r.server.requests.map((q) => `${q.method} ${q.path}`)).toEqual(["GET /.well-known/wasm-pkg/registry.json"]);
    expect(r.log.calls).toEqual(["test:remote release example:pkg@1.0.0", "test:remote content example:pkg@1.0.0"]);
  });
});

describe("wkg get --registry", () => {
  it("discovers a registry the config does not know, given with --registry or WKG_REGISTRY", async () => {
    const r = await remoteRegistry({ "example:pkg@1.0.0": "remote one" });
    await writeFile(r.config, "");
    const none = await r.run(["get", "example:pkg@1.0.0"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no registry configured for namespace "example"');
    expect((await r.run(["get", "example:pkg@1.0.0", "-o", "flag.wasm", "--registry", r.server.authority])).code).toBe(0);
    expect((await r.run(["get", "example:pkg@1.0.0", "-o", "env.wasm"], { WKG_REGISTRY: r.server.authority })).code).toBe(0);
    expect(await readFile(join(r.dir, "flag.wasm"), "utf8")).toBe("remote one");
    expect(await readFile(join(r.dir, "env.wasm"), "utf8")).toBe("remote one");
    const bad = await r.run(["get", "example:pkg@1.0.0", "--registry", "https://x.example/"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("it has a scheme");
  });
});

describe("wkg get --offline", () => {
  it("serves what an online run cached, without any request, and names what is missing", async () => {
    const r = await remoteRegistry({ "example:pkg@1.0.0": "one", "example:pkg@2.0.0": "two" });
    expect((await r.run(["get", "example:pkg@1.0.0", "-o", "online.wasm"])).code).toBe(0);
    const requests = r.server.requests.length;
    const calls = r.log.calls.length;

    const hit = await r.run(["get", "example:pkg@1.0.0", "-o", "offline.wasm", "--offline"]);
    expect(hit.code).toBe(0);
    expect(await readFile(join(r.dir, "offline.wasm"), "utf8")).toBe("one");
    const latest = await r.run(["get", "example:pkg", "-o", "latest.wasm", "--offline", "--json"]);
    expect(JSON.parse(latest.stdout)).toMatchObject({ version: "1.0.0" });

    const miss = await r.run(["get", "example:pkg@2.0.0", "-o", "missing.wasm", "--offline"]);
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain(
      `error: offline: example:pkg@2.0.0 from registry ${r.server.authority} is not in the cache at ${r.cache}`,
    );
    expect(miss.stderr).toContain("help: run the same command without --offline once to download it");
    const other = await r.run(["get", "example:other", "--offline"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("offline: the version list of example:other");

    expect(r.server.requests.length).toBe(requests);
    expect(r.log.calls.length).toBe(calls);
    expect((await readdir(r.dir)).sort()).toEqual(["cache", "config.toml", "latest.wasm", "offline.wasm", "online.wasm"]);
  });
});

describe("wkg get and the cache", () => {
  it("detects a corrupted cache entry, fetches it again and repairs the cache", async () => {
    const ws = await workspace({ "example:pkg@1.0.0": "pristine bytes" });
    expect((await ws.run(["get", "example:pkg@1.0.0", "-o", "a.wasm"])).code).toBe(0);
    const entry = cacheEntry(ws.cache, Digest.of("pristine bytes"));
    expect(await readFile(entry, "utf8")).toBe("pristine bytes");
    await writeFile(entry, "corrupt bytes!");
    const again = await ws.run(["get", "example:pkg@1.0.0", "-o", "b.wasm"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("warning: the cached copy of example:pkg@1.0.0 was corrupt; downloading it again");
    expect(await readFile(join(ws.cwd, "b.wasm"), "utf8")).toBe("pristine bytes");
    expect(await readFile(entry, "utf8")).toBe("pristine bytes");
  });

  it("lets two wkg processes fetch the same package at once: both succeed, one intact cache entry", async () => {
    const content = randomBytes(8 * 1024 * 1024);
    const ws = await workspace({ "example:big@1.0.0": content });
    const [a, b] = await Promise.all([
      spawnWkg(["get", "example:big@1.0.0", "-o", "a.wasm"], { env: ws.env, cwd: ws.cwd }),
      spawnWkg(["get", "example:big@1.0.0", "-o", "b.wasm"], { env: ws.env, cwd: ws.cwd }),
    ]);
    expect(a.stderr).not.toContain("error");
    expect([a.code, b.code]).toEqual([0, 0]);
    const digest = Digest.of(content);
    for (const file of ["a.wasm", "b.wasm"]) expect(Digest.of(await readFile(join(ws.cwd, file))).equals(digest)).toBe(true);
    const entry = cacheEntry(ws.cache, digest);
    expect(Digest.of(await readFile(entry)).equals(digest)).toBe(true);
    expect(await readdir(dirname(entry))).toEqual([digest.hex]);
    expect((await filesUnder(join(ws.cache, "wkg-ts"))).filter((f) => f.startsWith("content-v1"))).toHaveLength(1);
    expect((await readdir(ws.cwd)).sort()).toEqual(["a.wasm", "b.wasm"]);
  }, 60_000);
});

describe("wkg get with a hostile backend", () => {
  it("cannot be made to write outside the output directory by version strings", async () => {
    const dir = await tempDir();
    const out = join(dir, "deep", "out");
    const config = join(dir, "config.toml");
    await writeFile(
      config,
      '[namespace_registries]\nexample = { registry = "evil.example", metadata = { preferredProtocol = "hostile" } }\n',
    );
    const backends = {
      hostile: hostileBackend({
        versions: ["../../../escaped", "1.0.0/../../x", "..", "1.0.0+a/b"],
        content: new TextEncoder().encode("pwn"),
      }),
    };
    const env = { HOME: dir, WKG_CONFIG_FILE: config, WKG_CACHE_DIR: join(dir, "cache") };
    const latest = await runWkg(["get", "example:pkg", "-o", `${out}/`], { env, cwd: dir, backends });
    expect(latest.code).toBe(1);
    expect(latest.stderr).toContain('ignoring invalid version "../../../escaped"');
    expect(latest.stderr).toContain("error: no release of example:pkg found in registry evil.example");
    const exact = await runWkg(["get", "example:pkg@1.0.0", "-o", `${out}/`], { env, cwd: dir, backends });
    expect(exact.code).toBe(1);
    expect(exact.stderr).toContain('answered with version "../../../escaped"');
    expect(await filesUnder(dir)).toEqual(["config.toml"]);
  });
});
