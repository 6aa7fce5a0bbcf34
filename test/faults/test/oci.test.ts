import { join } from "node:path";
import { type TestRegistry, cleanupTempDirs, startFaultProxy, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addFaults,
  component,
  expectCleanFailure,
  expectOldOrNew,
  hashOf,
  leftovers,
  networkFaults,
  sha256,
  wkg,
  writeFileIn,
} from "./harness.js";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

let registry: TestRegistry;
let work: string;
const v1 = component(1536 * 1024);
const v2 = component(1536 * 1024);
const v3 = component(1024 * 1024);

beforeAll(async () => {
  registry = await startRegistry({ mode: "open" });
  work = await tempDir();
  for (const [tag, bytes] of [
    ["1.0.0", v1],
    ["1.1.0", v2],
  ] as const) {
    const file = await writeFileIn(work, `${tag}.wasm`, bytes);
    expect((await wkg(["oci", "push", `${registry.registry}/faults/app:${tag}`, file], { HOME: work }, work)).code).toBe(0);
  }
});
afterAll(async () => {
  await registry?.stop();
  await cleanupTempDirs();
});

/** Short enough that a stalled body is given up (and resumed) quickly. */
const env = (home: string) => ({ HOME: home, WKG_HTTP_TIMEOUT: "1" });

describe("wkg oci pull behind a faulty network (seeded)", () => {
  it("writes the new file or leaves the old one, never part of one; retries what can be retried", async () => {
    const outcomes: string[] = [];
    const faults: Record<string, number> = {};
    for (const seed of SEEDS) {
      const dir = await tempDir();
      const out = await writeFileIn(dir, "app.wasm", v1);
      const proxy = await startFaultProxy(registry.url, networkFaults(seed));
      try {
        const run = await wkg(["oci", "pull", `${proxy.authority}/faults/app:1.1.0`, "-o", "app.wasm"], env(dir), dir);
        if (run.code !== 0) {
          expectCleanFailure(run);
          expect(run.stderr).toMatch(/does not match its digest|could not reach|timed out|broke off|HTTP 5\d\d|503|500|429/);
        }
        const state = expectOldOrNew(await hashOf(out), sha256(v1), sha256(v2), `seed ${seed}: app.wasm`);
        expect(state === "new", `seed ${seed}: exit ${run.code} but the file is ${state}\n${run.stderr}`).toBe(run.code === 0);
        expect(await leftovers(dir), `seed ${seed}`).toEqual([]);
        outcomes.push(`${state}${Object.keys(proxy.faults).length ? "+faults" : ""}`);
        addFaults(faults, proxy.faults);
      } finally {
        await proxy.close();
      }
    }
    // Faults were survived (retried or resumed), others failed cleanly, and every kind bit.
    expect(outcomes).toContain("new+faults");
    expect(outcomes).toContain("old+faults");
    expect(Object.keys(faults)).toEqual(expect.arrayContaining(["respond", "dropAfter", "truncateAfter", "corrupt", "stallAfter"]));

    const dir = await tempDir();
    const clean = await wkg(["oci", "pull", `${registry.registry}/faults/app:1.1.0`, "-o", "app.wasm"], env(dir), dir);
    expect(clean.code, clean.stderr).toBe(0);
    expect(await hashOf(join(dir, "app.wasm"))).toBe(sha256(v2));
  });
});

describe("wkg oci push behind a faulty network (seeded)", () => {
  async function pulled(tag: string): Promise<string | undefined> {
    const dir = await tempDir();
    const run = await wkg(["oci", "pull", `${registry.registry}/faults/push:${tag}`, "-o", "got.wasm"], env(dir), dir);
    return run.code === 0 ? await hashOf(join(dir, "got.wasm")) : undefined;
  }

  it("leaves the tag absent or pointing at exactly the pushed bytes", async () => {
    const file = await writeFileIn(work, "v3.wasm", v3);
    const outcomes: string[] = [];
    const faults: Record<string, number> = {};
    for (const seed of SEEDS) {
      const tag = `2.0.${seed}`;
      const proxy = await startFaultProxy(registry.url, networkFaults(seed));
      try {
        const run = await wkg(["oci", "push", `${proxy.authority}/faults/push:${tag}`, file], env(work), work);
        if (run.code !== 0) expectCleanFailure(run);
        const stored = await pulled(tag);
        if (run.code === 0) expect(stored, `seed ${seed}: pushed, but the registry has other bytes`).toBe(sha256(v3));
        // A failed push may have reached the registry before its answer was lost: then it is whole.
        else expect([undefined, sha256(v3)], `seed ${seed}`).toContain(stored);
        outcomes.push(`${run.code === 0 ? "pushed" : "failed"}${Object.keys(proxy.faults).length ? "+faults" : ""}`);
        addFaults(faults, proxy.faults);
      } finally {
        await proxy.close();
      }
    }
    expect(outcomes).toContain("pushed+faults");
    expect(Object.keys(faults)).toEqual(expect.arrayContaining(["respond", "dropAfter"]));
    expect(await leftovers(work)).toEqual([]);
  });
});
