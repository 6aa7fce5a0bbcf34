import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Digest, PackageRef, Version, VersionReq, type WkgEvent } from "@wasm-pkg/common";
import { FileCache } from "@wasm-pkg/cache";
import { cleanupTempDirs, directoryBackend, hostileBackend, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { createClient } from "../src/index.js";
import { backendLog, bytes, config, localRegistry, seed, text } from "./helpers.js";

afterAll(cleanupTempDirs);

const pkg = PackageRef.parse("example:pkg");
const v = (s: string) => Version.parse(s);

// Inline metadata: no `.well-known` lookup leaves the machine.
const REMOTE = '[namespace_registries]\nexample = { registry = "remote.example", metadata = { preferredProtocol = "test" } }\n';

/** A remote-like registry: the `test` plugin protocol, configured as the registry's backend. */
async function remote(files: Record<string, string>) {
  const base = await tempDir();
  await seed(base, files);
  const cacheDir = await tempDir();
  const log = backendLog();
  const events: WkgEvent[] = [];
  const cfg = config(REMOTE);
  const make = (offline = false) =>
    createClient({
      config: cfg,
      cache: cacheDir,
      offline,
      backends: { test: directoryBackend({ base, log }) },
      logger: (e) => events.push(e),
    });
  return { base, cacheDir, log, events, make };
}

describe("selectVersion", () => {
  const files = { "example:pkg@1.0.0": "a", "example:pkg@1.2.0": "b", "example:pkg@1.3.0-rc.1": "c", "example:pkg@2.0.0-beta.1": "d" };

  it("picks the highest release, leaving pre-releases out unless asked", async () => {
    const { config: cfg } = await localRegistry(files);
    const client = createClient({ config: cfg, cache: false });
    expect(`${(await client.selectVersion(pkg, undefined)).version}`).toBe("1.2.0");
    expect(`${(await client.selectVersion(pkg, undefined, { includePrerelease: true })).version}`).toBe("2.0.0-beta.1");
    expect(`${(await client.selectVersion(pkg, VersionReq.parse("^1"))).version}`).toBe("1.2.0");
    expect(`${(await client.selectVersion(pkg, VersionReq.parse("^1"), { includePrerelease: true })).version}`).toBe("1.3.0-rc.1");
    expect(`${(await client.selectVersion(pkg, VersionReq.parse("=1.0.0"))).version}`).toBe("1.0.0");
  });

  it("explains when only pre-releases match, and when nothing does", async () => {
    const { config: cfg } = await localRegistry(files);
    const client = createClient({ config: cfg, cache: false });
    await expect(client.selectVersion(pkg, VersionReq.parse("^2"))).rejects.toMatchObject({
      code: "VERSION_NOT_FOUND",
      message: "no release of example:pkg matching ^2 found in registry files",
      hint: expect.stringContaining("only pre-releases match (2.0.0-beta.1); pass --prerelease"),
    });
    await expect(client.selectVersion(pkg, VersionReq.parse("^3"))).rejects.toMatchObject({
      hint: "available: 1.0.0, 1.2.0, 1.3.0-rc.1, 2.0.0-beta.1",
    });
  });
});

describe("cache and offline", () => {
  it("serves a fetched release offline from the cache, without touching the backend", async () => {
    const r = await remote({ "example:pkg@1.0.0": "one", "example:pkg@1.1.0": "eleven" });
    const online = r.make();
    const release = await online.getRelease(pkg, v("1.1.0"));
    const out = await tempDir();
    expect(await online.fetchToFile(pkg, release, join(out, "online.wasm"))).toMatchObject({ fromCache: false, size: 6 });
    const before = r.log.calls.length;

    const offline = r.make(true);
    expect((await offline.listVersions(pkg)).map((x) => `${x.version}`)).toEqual(["1.1.0"]);
    const again = await offline.getRelease(pkg, v("1.1.0"));
    expect(again.contentDigest.equals(Digest.of("eleven"))).toBe(true);
    expect(await offline.fetchToFile(pkg, again, join(out, "offline.wasm"))).toMatchObject({ fromCache: true });
    expect(await readFile(join(out, "offline.wasm"), "utf8")).toBe("eleven");
    expect(await text(await offline.streamContent(pkg, again))).toBe("eleven");
    expect(r.log.calls.length).toBe(before);
  });

  it("says what is missing offline and how to fix it", async () => {
    const r = await remote({ "example:pkg@1.0.0": "one" });
    const offline = r.make(true);
    const error = await offline.getRelease(pkg, v("1.0.0")).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "OFFLINE",
      message: `offline: example:pkg@1.0.0 from registry remote.example is not in the cache at ${r.cacheDir}`,
      hint: expect.stringContaining("without --offline"),
    });
    await expect(offline.listVersions(pkg)).rejects.toMatchObject({ code: "OFFLINE", message: expect.stringContaining("version list") });
    expect(r.log.calls).toEqual([]);
  });

  it("reads a configured local registry offline: it needs no network", async () => {
    const { config: cfg, cache } = await localRegistry({ "example:pkg@1.0.0": "local" });
    const client = createClient({ config: cfg, cache, offline: true });
    const release = await client.getRelease(pkg, (await client.selectVersion(pkg, undefined)).version);
    expect(await text(await client.streamContent(pkg, release))).toBe("local");
  });

  it("detects a corrupted cache entry, purges it and fetches it again (fetchToFile and streamContent)", async () => {
    const r = await remote({ "example:pkg@1.0.0": "the real bytes" });
    const client = r.make();
    const release = await client.getRelease(pkg, v("1.0.0"));
    const out = await tempDir();
    await client.fetchToFile(pkg, release, join(out, "a.wasm"));
    const entry = new FileCache(r.cacheDir).contentPath(release.contentDigest);

    await writeFile(entry, "the fake bytes");
    expect(await client.fetchToFile(pkg, release, join(out, "b.wasm"))).toMatchObject({ fromCache: false });
    expect(await readFile(join(out, "b.wasm"), "utf8")).toBe("the real bytes");
    expect(await readFile(entry, "utf8")).toBe("the real bytes");
    expect(r.events).toContainEqual(expect.objectContaining({ type: "warn", message: expect.stringContaining("was corrupt") }));

    await writeFile(entry, "short");
    expect(await text(await client.streamContent(pkg, release))).toBe("the real bytes");
    expect(r.log.calls.filter((c) => c.startsWith("test: content"))).toHaveLength(3);
  });

  it("leaves no file and no cache entry when the registry sends bytes that do not match", async () => {
    const r = await remote({ "example:pkg@1.0.0": "original" });
    const client = r.make();
    const release = await client.getRelease(pkg, v("1.0.0"));
    await writeFile(join(r.base, "example", "pkg", "1.0.0.wasm"), "swapped!");
    const out = await tempDir();
    await expect(client.fetchToFile(pkg, release, join(out, "x.wasm"))).rejects.toMatchObject({ code: "INTEGRITY" });
    expect(await readdir(out)).toEqual([]);
    expect(await new FileCache(r.cacheDir).getContent(release.contentDigest)).toBeUndefined();
  });

  it("works without a cache", async () => {
    const r = await remote({ "example:pkg@1.0.0": "uncached" });
    const client = createClient({ config: config(REMOTE), cache: false, backends: { test: directoryBackend({ base: r.base }) } });
    const release = await client.getRelease(pkg, v("1.0.0"));
    const out = await tempDir();
    await client.fetchToFile(pkg, release, join(out, "u.wasm"));
    expect(await readFile(join(out, "u.wasm"), "utf8")).toBe("uncached");
    expect(await readdir(r.cacheDir)).toEqual([]);
  });
});

describe("untrusted backends", () => {
  it("drops versions that are not semver and refuses a release for another version", async () => {
    const events: WkgEvent[] = [];
    const client = createClient({
      config: config('[namespace_registries]\nexample = { registry = "evil.example", metadata = { preferredProtocol = "hostile" } }\n'),
      cache: false,
      backends: { hostile: hostileBackend({ versions: ["../../evil", "1.0.0/../../x", "..", "1.0.0"], content: bytes("x") }) },
      logger: (e) => events.push(e),
    });
    const versions = await client.listVersions(pkg);
    expect(versions.map((x) => x.version.text)).toEqual(["1.0.0"]);
    expect(events.filter((e) => e.type === "warn")).toHaveLength(3);
    await expect(client.getRelease(pkg, v("1.0.0"))).rejects.toMatchObject({
      code: "REGISTRY",
      message: expect.stringContaining('answered with version "../../evil"'),
    });
  });
});
