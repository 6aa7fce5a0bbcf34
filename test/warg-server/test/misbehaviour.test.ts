import { afterAll, afterEach, describe, expect, it } from "vitest";
import { PackageRef, Version, streamContent } from "@wasm-pkg/common";
import { PrivateKey } from "@wasm-pkg/warg-backend/protocol";
import { cleanupTempDirs } from "@wasm-pkg/test-utils";
import { type Misbehaviour, TEST_KEYS, type WargTestServer, startWargServer } from "../src/index.js";
import { client, collect, component, readText, failure } from "./helpers.js";

const ALICE = PrivateKey.parse(TEST_KEYS.alice);
const pkg = PackageRef.parse("test:hello");

let server: WargTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(cleanupTempDirs);

/** A registry with a package, a client that verified it once, and one more release since. */
async function trustedThenMoved(): Promise<{ dir: string; trustFile: string; before: string }> {
  server = await startWargServer();
  server.release("test:hello", "1.0.0", component("a"), ALICE);
  server.release("test:hello", "1.1.0", component("b"), ALICE);
  const first = await client(server);
  await first.backend.listAllVersions(pkg);
  server.release("test:hello", "1.2.0", component("c"), ALICE);
  const before = (await readText(first.backend.trustFile)) as string;
  expect(JSON.parse(before).checkpoint.contents.logLength).toBe(3);
  return { dir: first.dir, trustFile: first.backend.trustFile, before };
}

const CASES: Array<[Misbehaviour, RegExp]> = [
  ["checkpoint-signature", /checkpoint signature does not verify/],
  ["checkpoint-key", /checkpoint is signed by key .* which the operator log does not know/],
  ["record-signature", /record signature by key .* does not verify/],
  ["fork", /is not an extension of the log verified before at length 3/],
  ["withhold", /does not name record .* as the newest .*withheld/],
  ["inclusion-proof", /is not in the checkpoint's log/],
  ["map-proof", /map does not name record/],
  ["consistency-proof", /is not an extension of the log verified before/],
];

describe("a lying registry is caught and nothing is kept", () => {
  for (const [kind, message] of CASES) {
    it(`detects ${kind}`, async () => {
      const { dir, trustFile, before } = await trustedThenMoved();
      server!.misbehave(kind);
      const c = await client(server!, {}, { dir });
      const error = await failure(c.backend.listAllVersions(pkg));
      expect(error.code).toBe("VERIFICATION");
      expect(error.message).toMatch(message);
      expect(error.message).toContain(server!.url);
      expect(error.hint).toBeTruthy();
      expect(await readText(trustFile)).toBe(before);
      // Honest again: the same client verifies and moves its trust forward.
      server!.misbehave(null);
      expect((await c.backend.listAllVersions(pkg)).map((x) => x.version.toString())).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
      expect(JSON.parse((await readText(trustFile)) as string).checkpoint.contents.logLength).toBe(4);
    });
  }

  it("detects a rollback below the trusted checkpoint", async () => {
    const { dir, trustFile } = await trustedThenMoved();
    const c = await client(server!, {}, { dir });
    await c.backend.listAllVersions(pkg);
    const before = await readText(trustFile);
    server!.misbehave("rollback");
    const fresh = await client(server!, {}, { dir });
    const error = await failure(fresh.backend.listAllVersions(pkg));
    expect(error.code).toBe("VERIFICATION");
    expect(error.message).toMatch(/rolled back: it now shows log length 3, but 4 was verified before/);
    expect(error.hint).toContain(trustFile);
    expect(await readText(trustFile)).toBe(before);
  });

  it("detects a fork at the trusted length", async () => {
    server = await startWargServer();
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    const first = await client(server);
    await first.backend.listAllVersions(pkg);
    const before = await readText(first.backend.trustFile);
    server.misbehave("fork");
    const c = await client(server, {}, { dir: first.dir });
    const error = await failure(c.backend.listAllVersions(pkg));
    expect(error.message).toMatch(/forked: its checkpoint at log length 2 differs/);
    expect(await readText(first.backend.trustFile)).toBe(before);
  });

  for (const kind of ["checkpoint-signature", "checkpoint-key", "record-signature", "withhold", "inclusion-proof", "map-proof"] as const) {
    it(`detects ${kind} on first contact and trusts nothing`, async () => {
      server = await startWargServer();
      server.release("test:hello", "1.0.0", component("a"), ALICE);
      server.release("test:hello", "1.1.0", component("b"), ALICE);
      server.misbehave(kind);
      const c = await client(server);
      expect((await failure(c.backend.getRelease(pkg, Version.parse("1.0.0")))).code).toBe("VERIFICATION");
      expect(await readText(c.backend.trustFile)).toBeUndefined();
    });
  }

  it("detects content that does not match its digest at the end of the stream", async () => {
    server = await startWargServer();
    server.release("test:hello", "1.0.0", component("a"), ALICE);
    const c = await client(server);
    const release = await c.backend.getRelease(pkg, Version.parse("1.0.0"));
    server.misbehave("wrong-content");
    const stream = await streamContent(c.backend, pkg, release);
    const error = await failure(collect(stream));
    expect(error.code).toBe("INTEGRITY");
    expect(error.message).toContain(release.contentDigest.toString());
  });
});
