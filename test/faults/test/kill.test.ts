import { watch } from "node:fs";
import { cp, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { type FaultRule, cleanupTempDirs, scheduledFaults, seededRandom, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  TEMP_NAME,
  component,
  copyTree,
  expectIntactCache,
  expectOldOrNew,
  hashOf,
  leftovers,
  sha256,
  snapshot,
  spawnWkg,
  waitFor,
  wkg,
  writeFileIn,
} from "./harness.js";
import { type ProjectWorld, projectWorld, state, writeWorld } from "./project.js";

/**
 * `wkg` killed with SIGKILL (no cleanup code runs) in the middle of a download and of a write,
 * then run again: what it had written is the old state or the new, never part of a file, and
 * the rerun finishes the job and removes what the killed process left behind.
 * These spawn the built CLI (`pnpm build`).
 */
let world: ProjectWorld;
const big = component(8 * 1024 * 1024);
const old = component(64 * 1024);
let layer: string;

beforeAll(async () => {
  world = await projectWorld();
  const file = await writeFileIn(world.home, "big.wasm", big);
  const pushed = await wkg(
    ["oci", "push", `${world.registry.registry}/faults/big:1.0.0`, file, "--json"],
    { HOME: world.home },
    world.home,
  );
  expect(pushed.code, pushed.stderr).toBe(0);
  layer = (JSON.parse(pushed.stdout) as { layer: { digest: string } }).layer.digest;
});
afterAll(async () => {
  await world?.stop();
  await cleanupTempDirs();
});

/** The layer's body stops after 3 MiB (once): the process sits mid-download, its file half written. */
function stallLayer(): FaultRule {
  return scheduledFaults(0, [{ fault: { stallAfter: 3 * 1024 * 1024 }, times: 1, match: (r) => r.path.endsWith(`/blobs/${layer}`) }]);
}

/** A temp file of this process under `dir`, at least `bytes` long. */
async function partialFile(dir: string, pid: number, bytes: number): Promise<string | undefined> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() || !TEMP_NAME.test(entry.name) || !entry.name.includes(`.${pid}.`)) continue;
    const path = join(entry.parentPath, entry.name);
    if (((await stat(path).catch(() => undefined))?.size ?? 0) >= bytes) return path;
  }
  return undefined;
}

describe("SIGKILL mid-download and mid-write", () => {
  it("wkg oci pull: the old file stays until the new one is whole; the rerun recovers", async () => {
    const dir = await tempDir();
    const out = await writeFileIn(dir, "big.wasm", old);
    world.setRule(stallLayer());
    const child = spawnWkg(["oci", "pull", `${world.proxy.authority}/faults/big:1.0.0`, "-o", "big.wasm"], { HOME: dir }, dir);
    let partial: string | undefined;
    await waitFor(async () => Boolean((partial = await partialFile(dir, child.pid, 2 * 1024 * 1024))), 30_000, "a half-written pull");
    child.kill();
    expect((await child.done).signal).toBe("SIGKILL");
    world.setRule(() => undefined);
    expect(await hashOf(out)).toBe(sha256(old));
    expect(await leftovers(dir)).toEqual([partial?.slice(dir.length + 1)]);

    const again = await wkg(["oci", "pull", `${world.proxy.authority}/faults/big:1.0.0`, "-o", "big.wasm"], { HOME: dir }, dir);
    expect(again.code, again.stderr).toBe(0);
    expect(await hashOf(out)).toBe(sha256(big));
    expect(await leftovers(dir)).toEqual([]);
  });

  it("wkg get: killed while the cache entry is half written, the entry is absent; the rerun recovers", async () => {
    const dir = await tempDir();
    const cache = join(await tempDir(), "cache");
    world.setRule(stallLayer());
    const child = spawnWkg(["get", "faults:big@1.0.0", "-o", "big.wasm"], world.env(cache, { WKG_HTTP_TIMEOUT: "60" }), dir);
    let partial: string | undefined;
    await waitFor(
      async () => Boolean((partial = await partialFile(cache, child.pid, 2 * 1024 * 1024))),
      30_000,
      "a half-written cache entry",
    );
    child.kill();
    expect((await child.done).signal).toBe("SIGKILL");
    world.setRule(() => undefined);
    expect(await hashOf(join(dir, "big.wasm"))).toBeUndefined();
    expect(await expectIntactCache(cache)).not.toContain(sha256(big));
    expect(await leftovers(cache)).toEqual([partial?.slice(cache.length + 1)]);

    const again = await wkg(["get", "faults:big@1.0.0", "-o", "big.wasm"], world.env(cache), dir);
    expect(again.code, again.stderr).toBe(0);
    expect(await hashOf(join(dir, "big.wasm"))).toBe(sha256(big));
    expect(await expectIntactCache(cache)).toContain(sha256(big));
    expect(await leftovers(cache)).toEqual([]);
    expect(await leftovers(dir)).toEqual([]);
  });
});

describe("SIGKILL the moment wkg fetch starts writing", () => {
  /** Kill `run` as soon as a file whose name matches `name` appears in `dir` (inotify, not polling). */
  async function killWhenWritten(run: ReturnType<typeof spawnWkg>, dir: string, name: RegExp): Promise<boolean> {
    const watcher = watch(dir, (_event, file) => {
      if (file && name.test(file)) run.kill();
    });
    try {
      return (await run.done).signal === "SIGKILL";
    } finally {
      watcher.close();
    }
  }

  it.each([
    ["the new wit/deps is being assembled", "wit", /^\.deps\.new-/],
    ["the old wit/deps has just been moved aside", "wit", /^\.deps\.old-/],
    ["wkg.lock is being written", ".", /^\.wkg\.lock\.\d+\.[0-9a-f]{8}\.tmp$/],
  ])(
    "when %s: wit/deps and wkg.lock are each old or new, deps never ahead of the lock; the rerun makes both new",
    async (_what, sub, name) => {
      const project = await copyTree(world.oldProject);
      await writeWorld(project, "1.1.0");
      const cache = await copyTree(world.oldCache);
      // Warm: the new versions are in the cache, so the run gets to its writes quickly.
      expect((await wkg(["fetch"], world.env(cache), await copyTree(project))).code).toBe(0);
      let killed = 0;
      for (let i = 0; i < 4; i++) {
        if (await killWhenWritten(spawnWkg(["fetch"], world.env(cache), project), join(project, sub), name)) killed++;
        const now = await state(project);
        const deps = Object.keys(now.deps).length ? now.deps : await retiredDeps(project);
        const d = expectOldOrNew(deps, world.old.deps, world.next.deps, `kill ${i}: wit/deps`);
        const l = expectOldOrNew(now.lock, world.old.lock, world.next.lock, `kill ${i}: wkg.lock`);
        // wit/deps is derived from the lock: it may lag behind it, never run ahead of it.
        expect(`deps ${d}, lock ${l}`).not.toBe("deps new, lock old");
        await expectIntactCache(cache);
      }
      expect(killed).toBeGreaterThan(0);
      const again = await wkg(["fetch"], world.env(cache), project);
      expect(again.code, again.stderr).toBe(0);
      expect(await state(project)).toEqual(world.next);
      expect(await leftovers(project)).toEqual([]);
    },
  );
});

/** A run killed between its two renames leaves no wit/deps, only the retired copy (the next run puts it back). */
async function retiredDeps(project: string): Promise<Record<string, string>> {
  const retired = (await readdir(join(project, "wit"))).find((n) => n.startsWith(".deps.old-"));
  return retired ? await snapshot(join(project, "wit", retired)) : {};
}

describe("SIGKILL at seeded random moments, again and again, then one clean run", () => {
  /** Kill a run after `ms` (if it is still going); resolves with whether it was killed. */
  async function killAfter(run: ReturnType<typeof spawnWkg>, ms: number): Promise<boolean> {
    const timer = setTimeout(() => run.kill(), ms);
    const { signal } = await run.done;
    clearTimeout(timer);
    return signal === "SIGKILL";
  }

  it("wkg get --overwrite: the output is old or new and the cache intact after every kill", async () => {
    const dir = await tempDir();
    const out = await writeFileIn(dir, "big.wasm", old);
    const cache = join(await tempDir(), "cache");
    const args = ["get", "faults:big@1.0.0", "-o", "big.wasm", "--overwrite"];
    // Each request waits 30 ms, and the content is downloaded every time (its entry is dropped
    // between runs): kills land before, during and after the download and the copy out.
    world.setRule(() => ({ delay: 30 }));
    const timed = Date.now();
    expect((await spawnWkg(args, world.env(join(await tempDir(), "cache")), await tempDir()).done).code).toBe(0);
    const duration = Date.now() - timed;
    const random = seededRandom(41);
    let killed = 0;
    for (let i = 0; i < 8; i++) {
      await rm(join(cache, "wkg-ts", "content-v1", "sha256", sha256(big).slice(0, 2), sha256(big).slice(2, 4), sha256(big)), {
        force: true,
      });
      if (await killAfter(spawnWkg(args, world.env(cache), dir), random() * duration)) killed++;
      expectOldOrNew(await hashOf(out), sha256(old), sha256(big), `after kill ${i}: big.wasm`);
      await expectIntactCache(cache);
    }
    world.setRule(() => undefined);
    expect(killed).toBeGreaterThan(3);
    const again = await wkg(args, world.env(cache), dir);
    expect(again.code, again.stderr).toBe(0);
    expect(await hashOf(out)).toBe(sha256(big));
    expect(await leftovers(dir)).toEqual([]);
    expect(await leftovers(cache)).toEqual([]);
  });

  it("wkg fetch: wit/deps and wkg.lock are each old or new after every kill; the rerun makes them new", async () => {
    const project = await copyTree(world.oldProject);
    await writeWorld(project, "1.1.0");
    const cache = await copyTree(world.oldCache);
    world.setRule(() => ({ delay: 30 }));
    const probe = await copyTree(project);
    const timed = Date.now();
    expect((await spawnWkg(["fetch"], world.env(await copyTree(world.oldCache)), probe).done).code).toBe(0);
    const duration = Date.now() - timed;
    const random = seededRandom(42);
    let killed = 0;
    for (let i = 0; i < 14; i++) {
      // Mostly late in the run, where wit/deps and the lock are written.
      if (await killAfter(spawnWkg(["fetch"], world.env(cache), project), duration * (0.3 + 0.8 * random()))) killed++;
      const now = await state(project);
      // Between its two renames a killed run leaves no wit/deps, only the retired copy, which
      // the next run puts back first: then the old deps are there, just under another name.
      const deps = Object.keys(now.deps).length ? now.deps : await retiredDeps(project);
      const depsState = expectOldOrNew(deps, world.old.deps, world.next.deps, `after kill ${i}: wit/deps`);
      const lockState = expectOldOrNew(now.lock, world.old.lock, world.next.lock, `after kill ${i}: wkg.lock`);
      expect(`deps ${depsState}, lock ${lockState}`).not.toBe("deps new, lock old");
      await expectIntactCache(cache);
      // A run that got through is put back to the old state (leftovers stay), so the next has work to do.
      if (depsState === "new" && lockState === "new") {
        await rm(join(project, "wit", "deps"), { recursive: true });
        await cp(join(world.oldProject, "wit", "deps"), join(project, "wit", "deps"), { recursive: true });
        await cp(join(world.oldProject, "wkg.lock"), join(project, "wkg.lock"));
      }
    }
    world.setRule(() => undefined);
    expect(killed).toBeGreaterThan(3);
    const again = await wkg(["fetch"], world.env(cache), project);
    expect(again.code, again.stderr).toBe(0);
    expect(await state(project)).toEqual(world.next);
    expect(await leftovers(project)).toEqual([]);
    expect(await leftovers(cache)).toEqual([]);
  });
});
