import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Digest, PackageRef, Version } from "@wasm-pkg/common";
import { PrivateKey } from "@wasm-pkg/warg-backend/protocol";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { TEST_KEYS, type WargTestServer, isHighS, startWargServer } from "../src/index.js";
import { client, component, readText, failure } from "./helpers.js";

const ALICE = PrivateKey.parse(TEST_KEYS.alice);
const pkg = PackageRef.parse("test:hello");

let server: WargTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(cleanupTempDirs);

/** A temp home whose project directory holds a `warg-config.json`. */
async function homeWithWargConfig(config: Record<string, unknown>): Promise<string> {
  const dir = await tempDir("wkg-warg-");
  await mkdir(join(dir, "project"), { recursive: true });
  await writeFile(join(dir, "project", "warg-config.json"), JSON.stringify(config));
  return dir;
}

describe("warg backend configuration end to end", () => {
  it("verifies registries whose every signature is high-S", async () => {
    server = await startWargServer({ highS: true });
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    expect(isHighS(server.core.latest.signature)).toBe(true);
    const { backend } = await client(server, { signing_key: TEST_KEYS.alice });
    expect((await backend.listAllVersions(pkg)).length).toBe(1);
    await backend.publish(pkg, Version.parse("1.1.0"), component("b"));
    expect(isHighS(server.core.latest.signature)).toBe(true);
    expect((await backend.listAllVersions(pkg)).length).toBe(2);
  });

  it("keeps trust state in warg's registriesDir when the table has no state_dir", async () => {
    server = await startWargServer();
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    const dir = await homeWithWargConfig({ registriesDir: "../registries" });
    const { backend } = await client(server, { state_dir: undefined }, { dir });
    await backend.listAllVersions(pkg);
    expect(backend.trustFile).toBe(join(dir, "registries", `127.0.0.1-${server.registry.split(":")[1]}`, "trust.json"));
    expect(await readText(backend.trustFile)).toContain('"logLength": 2');
  });

  it("does not create a package when disableAutoPackageInit is set", async () => {
    server = await startWargServer();
    const dir = await homeWithWargConfig({ disableAutoPackageInit: true });
    const { backend } = await client(server, { signing_key: TEST_KEYS.bob }, { dir });
    const error = await failure(backend.publish(pkg, Version.parse("1.0.0"), component("a")));
    expect(error.code).toBe("PACKAGE_NOT_FOUND");
    expect(error.message).toMatch(/automatic init is disabled/);
  });

  it("ignores or refuses federation hints as the warg config says", async () => {
    server = await startWargServer({ peers: { "other.example": { namespaces: ["other"] } } });
    server
      .peer("other.example")
      .commit("other:thing", [{ kind: "release", version: "1.0.0", content: Digest.of(component("p")).toString() }], ALICE, [
        component("p"),
      ]);
    const thing = PackageRef.parse("other:thing");
    const ignoring = await client(server, {}, { dir: await homeWithWargConfig({ ignoreFederationHints: true }) });
    const ignored = await failure(ignoring.backend.listAllVersions(thing));
    expect(ignored.code).toBe("PACKAGE_NOT_FOUND");
    const asking = await client(server, {}, { dir: await homeWithWargConfig({ disableAutoAcceptFederationHints: true }) });
    const refused = await failure(asking.backend.listAllVersions(thing));
    expect(refused.code).toBe("PACKAGE_NOT_FOUND");
    expect(refused.message).toMatch(/suggests registry other\.example for namespace other/);
    expect(server.requests.some((r) => r.headers["warg-registry"] !== undefined)).toBe(false);
  });

  it("reads an explicit config_file relative to the cwd, and reports a missing one", async () => {
    server = await startWargServer();
    const dir = await tempDir("wkg-warg-");
    await writeFile(join(dir, "custom.json"), JSON.stringify({ disableAutoPackageInit: true }));
    const { backend } = await client(server, { config_file: "../custom.json", signing_key: TEST_KEYS.bob }, { dir });
    expect((await failure(backend.publish(pkg, Version.parse("1.0.0"), component("a")))).message).toMatch(/automatic init is disabled/);
    await expect(client(server, { config_file: "missing.json" })).rejects.toMatchObject({ code: "CONFIG_IO" });
  });
});
