import { join } from "node:path";
import {
  type FaultProxy,
  type FaultRule,
  type TestRegistry,
  cleanupTempDirs,
  startFaultProxy,
  startRegistry,
  tempDir,
} from "@wasm-pkg/test-utils";
import { Resolve, encodeWitPackage } from "@wasm-pkg/wit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addFaults,
  component,
  copyTree,
  expectCleanFailure,
  expectIntactCache,
  expectOldOrNew,
  hashOf,
  leftovers,
  networkFaults,
  sha256,
  wkg,
  writeFileIn,
} from "./harness.js";

const SEEDS = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

let registry: TestRegistry;
let proxy: FaultProxy;
/** Swapped per seed; the proxy (and so the registry name in the config and cache) stays. */
let rule: FaultRule = () => undefined;
let home: string;
const v1 = component(1024 * 1024);
const v2 = component(1280 * 1024);

beforeAll(async () => {
  registry = await startRegistry({ mode: "open" });
  proxy = await startFaultProxy(registry.url, (req) => rule(req));
  home = await tempDir();
  for (const [tag, bytes] of [
    ["1.0.0", v1],
    ["1.1.0", v2],
  ] as const) {
    const file = await writeFileIn(home, `${tag}.wasm`, bytes);
    expect((await wkg(["oci", "push", `${registry.registry}/faults/app:${tag}`, file], { HOME: home }, home)).code).toBe(0);
  }
  await writeFileIn(
    home,
    "config.toml",
    `[namespace_registries]\nfaults = { registry = "${proxy.authority}", metadata = { preferredProtocol = "oci", oci = { registry = "${proxy.authority}" } } }\n`,
  );
});
afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
  await cleanupTempDirs();
});

const env = (cache: string) => ({
  HOME: home,
  WKG_CONFIG_FILE: join(home, "config.toml"),
  WKG_CACHE_DIR: cache,
  WKG_HTTP_TIMEOUT: "1",
});

describe("wkg get behind a faulty network (seeded), through the cache", () => {
  it("leaves the output and the cache in the old state or the new, never a mix", async () => {
    // The old state: 1.0.0 got and cached.
    const base = await tempDir();
    const first = await wkg(["get", "faults:app@1.0.0", "-o", "app.wasm"], env(join(base, "cache")), base);
    expect(first.code, first.stderr).toBe(0);

    const outcomes: string[] = [];
    const faults: Record<string, number> = {};
    for (const seed of SEEDS) {
      const dir = await copyTree(base);
      const cache = join(dir, "cache");
      const before = { ...proxy.faults };
      rule = networkFaults(seed);
      const run = await wkg(["get", "faults:app@1.1.0", "-o", "app.wasm", "--overwrite"], env(cache), dir);
      rule = () => undefined;
      if (run.code !== 0) expectCleanFailure(run);
      const state = expectOldOrNew(await hashOf(join(dir, "app.wasm")), sha256(v1), sha256(v2), `seed ${seed}: app.wasm`);
      expect(state === "new", `seed ${seed}: exit ${run.code}, file ${state}\n${run.stderr}`).toBe(run.code === 0);
      // Every entry whole; 1.0.0 still there; 1.1.0 there only if it arrived whole.
      const digests = await expectIntactCache(cache);
      expect(digests).toContain(sha256(v1));
      for (const d of digests) expect([sha256(v1), sha256(v2)]).toContain(d);
      if (state === "new") expect(digests).toContain(sha256(v2));
      expect(await leftovers(dir), `seed ${seed}`).toEqual([]);

      const applied = Object.fromEntries(Object.entries(proxy.faults).map(([k, n]) => [k, n - (before[k] ?? 0)]));
      addFaults(faults, applied);
      outcomes.push(`${state}${Object.values(applied).some((n) => n > 0) ? "+faults" : ""}`);

      // And the next clean run finishes the job from whatever was left.
      const again = await wkg(["get", "faults:app@1.1.0", "-o", "app.wasm", "--overwrite"], env(cache), dir);
      expect(again.code, again.stderr).toBe(0);
      expect(await hashOf(join(dir, "app.wasm"))).toBe(sha256(v2));
      expect((await expectIntactCache(cache)).sort()).toEqual([sha256(v1), sha256(v2)].sort());
    }
    expect(outcomes).toContain("new+faults");
    expect(Object.keys(faults).length, JSON.stringify(faults)).toBeGreaterThanOrEqual(3);
  });
});

describe("wkg publish behind a faulty network (seeded)", () => {
  it("publishes the exact bytes or nothing, and a clean retry succeeds", async () => {
    const outcomes: string[] = [];
    for (const seed of SEEDS) {
      const version = `1.0.${seed}`;
      const bytes = witPackage(`faults:pub@${version}`);
      const file = await writeFileIn(home, `pub-${seed}.wasm`, bytes);
      const args = ["publish", file, "--skip-semver-check"];
      const cache = await tempDir();
      const before = Object.values(proxy.faults).reduce((a, b) => a + b, 0);
      rule = networkFaults(seed);
      const run = await wkg(args, env(cache), home);
      rule = () => undefined;
      if (run.code !== 0) expectCleanFailure(run);
      const dir = await tempDir();
      const got = await wkg(["oci", "pull", `${registry.registry}/faults/pub:${version}`, "-o", "got.wasm"], { HOME: home }, dir);
      const stored = got.code === 0 ? await hashOf(join(dir, "got.wasm")) : undefined;
      if (run.code === 0) expect(stored, `seed ${seed}`).toBe(sha256(bytes));
      else {
        expect([undefined, sha256(bytes)], `seed ${seed}`).toContain(stored);
        // Publishing again without faults completes it (or finds it already there, whole).
        const again = await wkg([...args, "--skip-dupes"], env(cache), home);
        expect(again.code, again.stderr).toBe(0);
      }
      const faulted = Object.values(proxy.faults).reduce((a, b) => a + b, 0) > before;
      outcomes.push(`${run.code === 0 ? "published" : "failed"}${faulted ? "+faults" : ""}`);
    }
    expect(outcomes).toContain("published+faults");
    expect(await leftovers(home)).toEqual([]);
  });
});

/** A real WIT package (publish reads its name and version), with ~200 KiB of docs to upload. */
function witPackage(name: string): Uint8Array {
  const resolve = new Resolve();
  const docs = "/// Returns the item.\n".repeat(10_000);
  const id = resolve.pushText("pkg.wit", `package ${name};\n\ninterface api {\n  ${docs}  get: func(id: u32) -> string;\n}\n`);
  return encodeWitPackage(resolve, id);
}
