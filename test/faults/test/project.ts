import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type FaultProxy, type FaultRule, type TestRegistry, startFaultProxy, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { Resolve, encodeWitPackage } from "@wasm-pkg/wit";
import { expect } from "vitest";
import { snapshot, wkg, writeFileIn } from "./harness.js";

export const DEPS = 6;

/** A WIT package `faults:dep<i>@<version>`; each version has a function of its own, so deps differ. */
export function depPackage(i: number, version: string): Uint8Array {
  const resolve = new Resolve();
  const fn = `v${version.replaceAll(".", "-")}`;
  const id = resolve.pushText(
    "pkg.wit",
    `package faults:dep${i}@${version};\n\ninterface api {\n  record item { id: u32, name: string }\n  get: func(id: u32) -> option<item>;\n  ${fn}: func();\n}\n`,
  );
  return encodeWitPackage(resolve, id);
}

export interface ProjectWorld {
  registry: TestRegistry;
  proxy: FaultProxy;
  /** Swap the proxy's behaviour (the registry name in the lock stays the same). */
  setRule(rule: FaultRule): void;
  home: string;
  env(cache: string, extra?: Record<string, string>): Record<string, string>;
  /** A project importing every dep, fetched at 1.0.0 (the old state), and its warm cache. */
  oldProject: string;
  oldCache: string;
  /** What `wkg fetch` makes of it once the world imports 1.1.0 (the new state). */
  old: { deps: Record<string, string>; lock: string };
  next: { deps: Record<string, string>; lock: string };
  stop(): Promise<void>;
}

/**
 * The real registry behind a proxy, `faults:dep0..5` published at 1.0.0, a project fetched
 * against them (old state), then 1.1.0 published; the new state is what a clean
 * `wkg fetch` writes after the world moves to 1.1.0 (`writeWorld`). Every run starts from a
 * copy of the old project and cache.
 */
export async function projectWorld(): Promise<ProjectWorld> {
  const registry = await startRegistry({ mode: "open" });
  let rule: FaultRule = () => undefined;
  const proxy = await startFaultProxy(registry.url, (req) => rule(req));
  const home = await tempDir();
  await writeFileIn(
    home,
    "config.toml",
    `[namespace_registries]\nfaults = { registry = "${proxy.authority}", metadata = { preferredProtocol = "oci", oci = { registry = "${proxy.authority}" } } }\n`,
  );
  const env = (cache: string, extra: Record<string, string> = {}) => ({
    HOME: home,
    WKG_CONFIG_FILE: join(home, "config.toml"),
    WKG_CACHE_DIR: cache,
    WKG_HTTP_TIMEOUT: "1",
    ...extra,
  });
  const publish = async (version: string) => {
    for (let i = 0; i < DEPS; i++) {
      const file = await writeFileIn(home, `dep${i}-${version}.wasm`, depPackage(i, version));
      const run = await wkg(["publish", file], env(join(home, "publisher-cache")), home);
      expect(run.code, run.stderr).toBe(0);
    }
  };
  await publish("1.0.0");
  const oldProject = await tempDir();
  await mkdir(join(oldProject, "wit"));
  await writeWorld(oldProject, "1.0.0");
  const oldCache = join(await tempDir(), "cache");
  const fetched = await wkg(["fetch"], env(oldCache), oldProject);
  expect(fetched.code, fetched.stderr).toBe(0);
  const old = await state(oldProject);
  await publish("1.1.0");

  const probe = await tempDir();
  const { cp } = await import("node:fs/promises");
  await cp(oldProject, probe, { recursive: true });
  await writeWorld(probe, "1.1.0");
  const updated = await wkg(["fetch"], env(join(await tempDir(), "cache")), probe);
  expect(updated.code, updated.stderr).toBe(0);
  const next = await state(probe);
  expect(next.lock).not.toEqual(old.lock);
  expect(next.lock).toContain("1.1.0");

  return {
    registry,
    proxy,
    setRule: (r) => {
      rule = r;
    },
    home,
    env,
    oldProject,
    oldCache,
    old,
    next,
    async stop() {
      await proxy.close();
      await registry.stop();
    },
  };
}

/**
 * The project's world, importing every dep at `version`. Moving it from 1.0.0 to 1.1.0 is the
 * user's edit; `wkg fetch` then moves wit/deps and wkg.lock from the old state to the new.
 */
export async function writeWorld(project: string, version: string): Promise<void> {
  const imports = Array.from({ length: DEPS }, (_, i) => `  import faults:dep${i}/api@${version};`).join("\n");
  await writeFile(join(project, "wit", "world.wit"), `package faults:app@0.1.0;\n\nworld app {\n${imports}\n}\n`);
}

/** The two things `wkg fetch`/`update` write: wit/deps (every file) and wkg.lock. */
export async function state(project: string): Promise<{ deps: Record<string, string>; lock: string }> {
  const { readFile } = await import("node:fs/promises");
  return {
    deps: await snapshot(join(project, "wit", "deps")),
    lock: await readFile(join(project, "wkg.lock"), "utf8").catch(() => ""),
  };
}
