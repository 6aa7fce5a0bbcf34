import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, type TestRegistry, cleanupTempDirs, startFaultProxy, startRegistry } from "@wasm-pkg/test-utils";
import { decodeWasm } from "@wasm-pkg/wit";
import { home, tree } from "./project.js";

let registry: TestRegistry;
let proxy: FaultProxy;
/** When set, the registry refuses manifest uploads to this repository (a registry fault part way). */
let refuse: string | undefined;

beforeAll(async () => {
  registry = await startRegistry({ mode: "open" });
  proxy = await startFaultProxy(registry.url, (req) =>
    refuse && req.method === "PUT" && req.url?.startsWith(`/v2/${refuse}/manifests/`)
      ? {
          respond: {
            status: 403,
            headers: { "content-type": "application/json" },
            body: '{"errors":[{"code":"DENIED","message":"quota exceeded"}]}',
          },
        }
      : undefined,
  );
});
afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
  await cleanupTempDirs();
});

/** A workspace of three packages, each using the next: c -> b -> a (members listed c first). */
async function workspaceTree(ns: string): Promise<string> {
  return await tree({
    "wkg.toml": `[workspace]\nmembers = ["c/wit", "b/wit", "a/wit"]\n`,
    "a/wit/a.wit": `package ${ns}:a@0.1.0;\n\ninterface types {\n  type id = u64;\n}\n`,
    "b/wit/b.wit": `package ${ns}:b@0.1.0;\n\ninterface api {\n  use ${ns}:a/types@0.1.0.{id};\n  get: func() -> id;\n}\n`,
    "c/wit/c.wit": `package ${ns}:c@0.1.0;\n\nworld app {\n  import ${ns}:b/api@0.1.0;\n}\n`,
  });
}

async function tags(repo: string): Promise<string[]> {
  const res = await fetch(`${registry.url}/v2/${repo}/tags/list`);
  if (res.status === 404) return [];
  return ((await res.json()) as { tags?: string[] }).tags ?? [];
}

async function user() {
  const mapping = `{ registry = "${proxy.authority}", metadata = { preferredProtocol = "oci", oci = { registry = "${proxy.authority}" } } }`;
  return await home(`[namespace_registries]\nchain = ${mapping}\nfault = ${mapping}\n`);
}

describe("wkg publish --workspace against the real OCI registry", () => {
  it("prints the plan on --dry-run, then publishes the chain in dependency order", async () => {
    const { run } = await user();
    const project = await workspaceTree("chain");
    const dry = await run(["publish", "--workspace", "--dry-run"], project);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      "Publish plan (3 packages, dependencies first; dry run, nothing uploaded):\n" +
        `  1. chain:a@0.1.0 to ${proxy.authority} from a/wit (built)\n` +
        `  2. chain:b@0.1.0 to ${proxy.authority} from b/wit (built) after chain:a\n` +
        `  3. chain:c@0.1.0 to ${proxy.authority} from c/wit (built) after chain:b\n`,
    );
    expect(await tags("chain/a")).toEqual([]);

    const published = await run(["publish", "--workspace"], project);
    expect(published.code).toBe(0);
    expect([...published.stderr.matchAll(/Published (\S+) to/g)].map((m) => m[1])).toEqual([
      "chain:a@0.1.0",
      "chain:b@0.1.0",
      "chain:c@0.1.0",
    ]);
    for (const name of ["a", "b", "c"]) expect(await tags(`chain/${name}`)).toEqual(["0.1.0"]);
    // Each went up after what it needs: the registry saw a's manifest before b's, b's before c's.
    const puts = proxy.requests
      .filter((r) => r.method === "PUT" && r.path.startsWith("/v2/chain/") && r.path.includes("/manifests/"))
      .map((r) => r.path.split("/")[3]);
    expect(puts).toEqual(["a", "b", "c"]);

    // What c carries is b as built here, with a inside it, read back through wkg get.
    const got = await run(["get", "chain:c@0.1.0", "--format", "wasm", "-o", join(project, "c.wasm")], project);
    expect(got.code).toBe(0);
    const c = decodeWasm(new Uint8Array(await readFile(join(project, "c.wasm"))));
    expect(c.resolve.knownPackageNames()).toEqual(["chain:a@0.1.0", "chain:b@0.1.0", "chain:c@0.1.0"]);
  });

  it("stops at a registry fault naming what was published, and a rerun with --skip-dupes finishes the rest", async () => {
    const { run } = await user();
    const project = await workspaceTree("fault");
    refuse = "fault/b";
    try {
      const failed = await run(["publish", "--workspace"], project);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain("error: publishing stopped at fault:b@0.1.0:");
      expect(failed.stderr).toContain("quota exceeded");
      expect(failed.stderr).toContain("  published: fault:a@0.1.0\n");
      expect(failed.stderr).toContain("  not published: fault:b@0.1.0, fault:c@0.1.0\n");
    } finally {
      refuse = undefined;
    }
    expect(await tags("fault/a")).toEqual(["0.1.0"]);
    expect(await tags("fault/b")).toEqual([]);
    expect(await tags("fault/c")).toEqual([]);

    // Without --skip-dupes the rerun stops at a, which is already there.
    const again = await run(["publish", "--workspace"], project);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("error: publishing stopped at fault:a@0.1.0: fault:a@0.1.0 already exists");

    const rerun = await run(["publish", "--workspace", "--skip-dupes"], project);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain(`Skipped fault:a@0.1.0: already in ${proxy.authority} with the same content`);
    expect(rerun.stderr).not.toContain("warning");
    expect([...rerun.stderr.matchAll(/Published (\S+) to/g)].map((m) => m[1])).toEqual(["fault:b@0.1.0", "fault:c@0.1.0"]);
    for (const name of ["a", "b", "c"]) expect(await tags(`fault/${name}`)).toEqual(["0.1.0"]);
  });
});
