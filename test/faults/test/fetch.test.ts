import { cleanupTempDirs } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addFaults, copyTree, expectCleanFailure, expectIntactCache, expectOldOrNew, leftovers, networkFaults, wkg } from "./harness.js";
import { type ProjectWorld, projectWorld, state, writeWorld } from "./project.js";

const SEEDS = [21, 22, 23, 24, 25, 26, 27, 28];

let world: ProjectWorld;
beforeAll(async () => {
  world = await projectWorld();
});
afterAll(async () => {
  await world?.stop();
  await cleanupTempDirs();
});

describe("wkg fetch behind a faulty network (seeded)", () => {
  it("leaves wit/deps and wkg.lock both old or both new, the cache intact, and a clean rerun completes", async () => {
    const outcomes: string[] = [];
    const faults: Record<string, number> = {};
    for (const seed of SEEDS) {
      const project = await copyTree(world.oldProject);
      await writeWorld(project, "1.1.0");
      const cache = await copyTree(world.oldCache);
      const before = { ...world.proxy.faults };
      world.setRule(networkFaults(seed));
      const run = await wkg(["fetch"], world.env(cache), project);
      world.setRule(() => undefined);
      if (run.code !== 0) expectCleanFailure(run);
      // Network faults strike before anything is written: the project moves as one.
      const now = await state(project);
      const which = expectOldOrNew(now, world.old, world.next, `seed ${seed}: wit/deps + wkg.lock`);
      expect(which === "new", `seed ${seed}: exit ${run.code}, project ${which}\n${run.stderr}`).toBe(run.code === 0);
      await expectIntactCache(cache);
      expect(await leftovers(project), `seed ${seed}`).toEqual([]);
      const applied = Object.fromEntries(Object.entries(world.proxy.faults).map(([k, n]) => [k, n - (before[k] ?? 0)]));
      addFaults(faults, applied);
      outcomes.push(`${which}${Object.values(applied).some((n) => n > 0) ? "+faults" : ""}`);

      const again = await wkg(["fetch"], world.env(cache), project);
      expect(again.code, again.stderr).toBe(0);
      expect(await state(project)).toEqual(world.next);
    }
    expect(outcomes).toContain("new+faults");
    expect(outcomes).toContain("old+faults");
    expect(Object.keys(faults).length, JSON.stringify(faults)).toBeGreaterThanOrEqual(3);
  });

  it("--locked fails on a lock that would change, writing nothing, faults or not", async () => {
    const project = await copyTree(world.oldProject);
    await writeWorld(project, "1.1.0");
    const cache = await copyTree(world.oldCache);
    world.setRule(networkFaults(29));
    const run = await wkg(["fetch", "--locked"], world.env(cache), project);
    world.setRule(() => undefined);
    expectCleanFailure(run);
    expect(await state(project)).toEqual(world.old);
  });
});
