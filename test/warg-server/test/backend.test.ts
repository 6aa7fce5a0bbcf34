import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Digest, PackageRef, Version, VersionReq, pickHighest, streamContent } from "@wasm-pkg/common";
import { PrivateKey, packageLogId } from "@wasm-pkg/warg-backend/protocol";
import { wargBackend } from "@wasm-pkg/warg-backend";
import { cleanupTempDirs } from "@wasm-pkg/test-utils";
import { TEST_KEYS, type WargTestServer, startWargServer } from "../src/index.js";
import { client, collect, component, readText, failure } from "./helpers.js";

const ALICE = PrivateKey.parse(TEST_KEYS.alice);
const pkg = PackageRef.parse("test:hello");
const v = (text: string) => Version.parse(text);

let server: WargTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(cleanupTempDirs);

describe("warg backend against the test server", () => {
  it("is a BackendFactory for the warg protocol", () => {
    expect(wargBackend.protocol).toBe("warg");
    expect(typeof wargBackend.create).toBe("function");
  });

  it("publishes, lists, resolves and streams verified content", async () => {
    server = await startWargServer({ requireWasm: true });
    const { backend } = await client(server, { signing_key: TEST_KEYS.bob });
    const bytes = component("hello 1");
    const result = await backend.publish(pkg, v("1.0.0"), bytes);
    expect(result.contentDigest.toString()).toBe(Digest.of(bytes).toString());
    expect(result.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.location).toBe(`${server.url}/v1/package/${packageLogId("test:hello")}/record/${result.id}`);

    // A second release goes on top of the first; a Blob source streams from disk alike.
    await backend.publish(pkg, v("1.1.0"), new Blob([component("hello 2")]));
    const versions = await backend.listAllVersions(pkg);
    expect(versions.map((x) => [x.version.toString(), x.yanked])).toEqual([
      ["1.0.0", false],
      ["1.1.0", false],
    ]);
    const release = await backend.getRelease(pkg, v("1.0.0"));
    expect(release.contentDigest.toString()).toBe(result.contentDigest.toString());
    const content = await collect(await streamContent(backend, pkg, release));
    expect(content).toEqual(bytes);

    const trust = JSON.parse((await readText(backend.trustFile)) as string);
    expect(trust.checkpoint.contents.logLength).toBe(3);
    expect(trust.checkpoint).toEqual(server.core.latest);
  });

  it("reports yanked versions, refuses to resolve them, and maps missing packages and versions", async () => {
    server = await startWargServer();
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    server.release("test:hello", "2.0.0", component("b"), ALICE);
    server.yank("test:hello", "2.0.0", ALICE);
    const { backend } = await client(server);
    const versions = await backend.listAllVersions(pkg);
    expect(versions.map((x) => [x.version.toString(), x.yanked])).toEqual([
      ["1.0.0", false],
      ["2.0.0", true],
    ]);
    expect(pickHighest(versions)?.version.toString()).toBe("1.0.0");
    expect(pickHighest(versions, VersionReq.parse(">=2"))).toBeUndefined();
    const yanked = await failure(backend.getRelease(pkg, v("2.0.0")));
    expect(yanked.code).toBe("REGISTRY");
    expect(yanked.message).toMatch(/was yanked/);
    expect((await failure(backend.getRelease(pkg, v("3.0.0")))).code).toBe("VERSION_NOT_FOUND");
    const missing = await failure(backend.listAllVersions(PackageRef.parse("test:nothing")));
    expect(missing.code).toBe("PACKAGE_NOT_FOUND");
    expect(missing.message).toContain("test:nothing");
  });

  it("refuses to publish an existing version, a package it may not release, or without a key", async () => {
    server = await startWargServer();
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    const owner = await client(server, { signing_key: TEST_KEYS.alice });
    expect((await failure(owner.backend.publish(pkg, v("1.0.0"), component("again")))).code).toBe("VERSION_EXISTS");
    expect((await failure(owner.backend.publish(pkg, v("1.0.0"), component("again"), { dryRun: true }))).code).toBe("VERSION_EXISTS");
    const stranger = await client(server, { signing_key: TEST_KEYS.bob });
    const denied = await failure(stranger.backend.publish(pkg, v("1.1.0"), component("x")));
    expect(denied.code).toBe("UNAUTHORIZED");
    const anonymous = await client(server);
    const noKey = await failure(anonymous.backend.publish(pkg, v("1.1.0"), component("x")));
    expect(noKey.code).toBe("CREDENTIALS");
    expect(noKey.hint).toMatch(/signing_key/);
    // A dry run of a new package checks, signs nothing and uploads nothing.
    const before = server.requests.filter((r) => r.method === "POST" && r.path.endsWith("/record")).length;
    const dry = await owner.backend.publish(PackageRef.parse("test:fresh"), v("0.1.0"), component("x"), { dryRun: true });
    expect(dry.contentDigest.toString()).toBe(Digest.of(component("x")).toString());
    expect(server.requests.filter((r) => r.method === "POST" && r.path.endsWith("/record")).length).toBe(before);
  });

  it("surfaces the registry's rejection of content", async () => {
    server = await startWargServer({ requireWasm: true });
    const { backend } = await client(server, { signing_key: TEST_KEYS.bob });
    const error = await failure(backend.publish(pkg, v("1.0.0"), new Uint8Array([1, 2, 3])));
    expect(error.code).toBe("REGISTRY");
    expect(error.message).toContain("content is not valid WebAssembly");
  });

  it("publishes to a namespace the registry does not define with a clear error", async () => {
    server = await startWargServer();
    const { backend } = await client(server, { signing_key: TEST_KEYS.bob });
    const error = await failure(backend.publish(PackageRef.parse("other:pkg"), v("1.0.0"), component("x")));
    expect(error.message).toMatch(/namespace other is not defined/);
  });

  it("waits for a conflicting pending record, then builds on it", async () => {
    server = await startWargServer();
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    // Alice submits 1.1.0 but has not uploaded its content yet: the log is busy.
    const { client: raw } = await import("./raw.js");
    const pending = await raw(server).submitRelease("test:hello", "1.1.0", component("b"), ALICE);
    const { backend } = await client(server, { signing_key: TEST_KEYS.alice });
    const publishing = backend.publish(pkg, v("1.2.0"), component("c"));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await pending.upload();
    await publishing;
    const versions = await backend.listAllVersions(pkg);
    expect(versions.map((x) => x.version.toString())).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
  });

  it("sends the bearer token to the API only, never with content downloads", async () => {
    server = await startWargServer({ authToken: "tok-123456" });
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    const denied = await client(server, { auth_token: "wrong-token-987654" });
    const refused = await failure(denied.backend.listAllVersions(pkg));
    expect(refused.code).toBe("UNAUTHORIZED");
    expect(JSON.stringify({ message: refused.message, hint: refused.hint, details: refused.details })).not.toContain("wrong-token-987654");
    const { backend } = await client(server, { auth_token: "tok-123456" });
    const release = await backend.getRelease(pkg, v("1.0.0"));
    await collect(await streamContent(backend, pkg, release));
    const api = server.requests.filter((r) => r.path.startsWith("/v1/"));
    const content = server.requests.filter((r) => r.path.startsWith("/content/"));
    expect(api.length).toBeGreaterThan(0);
    expect(content).toHaveLength(1);
    expect(api.slice(-3).every((r) => r.headers.authorization === "Bearer tok-123456")).toBe(true);
    expect(content[0]?.headers.authorization).toBeUndefined();
  });

  it("keeps a base path from the metadata URL and follows warg's well-known wargUrl", async () => {
    server = await startWargServer({ prefix: "/warg" });
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    const viaMetadata = await client(server, {}, { metadata: { url: server.url } });
    expect((await viaMetadata.backend.listAllVersions(pkg)).map((x) => x.version.toString())).toEqual(["1.0.0"]);
    expect(viaMetadata.backend.baseUrl.href).toBe(`${server.url}/`);

    const other = await startWargServer({ prefix: "/some/where", wellKnown: { wargUrl: server.url } });
    try {
      const redirected = await client(other, {}, { metadata: { url: other.url }, registry: "registry.example" });
      expect((await redirected.backend.listAllVersions(pkg)).length).toBe(1);
      expect(redirected.backend.baseUrl.href).toBe(`${server.url}/`);
    } finally {
      await other.stop();
    }
  });

  it("follows the registry's federation hint with Warg-Registry and remembers it", async () => {
    server = await startWargServer({ peers: { "other.example": { namespaces: ["other"] } } });
    const peerKey = PrivateKey.parse(TEST_KEYS.bob);
    server
      .peer("other.example")
      .commit("other:thing", [{ kind: "release", version: "1.0.0", content: Digest.of(component("p")).toString() }], peerKey, [
        component("p"),
      ]);
    const thing = PackageRef.parse("other:thing");
    const c = await client(server);
    const versions = await c.backend.listAllVersions(thing);
    expect(versions.map((x) => x.version.toString())).toEqual(["1.0.0"]);
    const release = await c.backend.getRelease(thing, v("1.0.0"));
    expect(await collect(await streamContent(c.backend, thing, release))).toEqual(component("p"));
    expect(server.requests.some((r) => r.headers["warg-registry"] === "other.example")).toBe(true);
    expect(c.events.some((e) => e.type === "status" && /other\.example/.test(e.message))).toBe(true);
    const namespaces = JSON.parse((await readText(`${c.dir}/state/127.0.0.1-${server.registry.split(":")[1]}/namespaces.json`)) as string);
    expect(namespaces).toEqual({ other: "other.example" });
    // A new backend sharing the state goes straight to the peer.
    const again = await client(server, {}, { dir: c.dir });
    const count = server.requests.length;
    await again.backend.listAllVersions(thing);
    expect(server.requests.slice(count).every((r) => r.headers["warg-registry"] === "other.example")).toBe(true);
  });

  it("routes namespaces the operator imports to their registry", async () => {
    server = await startWargServer({ imports: { other: "other.example" }, peers: { "other.example": { namespaces: ["other"] } } });
    server
      .peer("other.example")
      .commit("other:thing", [{ kind: "release", version: "2.0.0", content: Digest.of(component("q")).toString() }], ALICE, [
        component("q"),
      ]);
    const { backend } = await client(server);
    expect((await backend.listAllVersions(PackageRef.parse("other:thing"))).map((x) => x.version.toString())).toEqual(["2.0.0"]);
  });

  it("passes aborts through unwrapped", async () => {
    server = await startWargServer();
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    const { backend } = await client(server);
    const controller = new AbortController();
    controller.abort();
    await expect(backend.listAllVersions(pkg, { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(await readText(backend.trustFile)).toBeUndefined();
  });

  it("pages through logs longer than one fetch", async () => {
    server = await startWargServer();
    for (let i = 0; i < 230; i++) server.release("test:hello", `0.${i}.0`, component(`r${i}`), ALICE);
    const { backend } = await client(server);
    const versions = await backend.listAllVersions(pkg);
    expect(versions).toHaveLength(230);
    expect(versions[229]?.version.toString()).toBe("0.229.0");
    expect(server.requests.filter((r) => r.path === "/v1/fetch/logs")).toHaveLength(3);
  });

  it("re-verifies only when the checkpoint moved", async () => {
    server = await startWargServer();
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    const { backend } = await client(server);
    await backend.listAllVersions(pkg);
    const count = server.requests.length;
    await backend.getRelease(pkg, v("1.0.0"));
    expect(server.requests.slice(count).map((r) => r.path)).toEqual(["/v1/fetch/checkpoint"]);
    server.release("test:hello", "1.1.0", component("b"), ALICE);
    expect((await backend.listAllVersions(pkg)).length).toBe(2);
    // Within one backend the new checkpoint is still proven consistent with the trusted one.
    expect(server.requests.slice(count).some((r) => r.path === "/v1/proof/consistency")).toBe(true);
  });

  it("checks consistency against the trust state of an earlier run", async () => {
    server = await startWargServer();
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    const first = await client(server);
    await first.backend.listAllVersions(pkg);
    server.release("test:hello", "1.1.0", component("b"), ALICE);
    const second = await client(server, {}, { dir: first.dir });
    const count = server.requests.length;
    expect((await second.backend.listAllVersions(pkg)).length).toBe(2);
    expect(server.requests.slice(count).some((r) => r.path === "/v1/proof/consistency")).toBe(true);
  });
});
