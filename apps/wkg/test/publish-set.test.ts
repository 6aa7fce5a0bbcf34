import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Digest } from "@wasm-pkg/common";
import { cleanupTempDirs } from "@wasm-pkg/test-utils";
import { decodeWasm, printPackage } from "@wasm-pkg/wit";
import { afterAll, describe, expect, it } from "vitest";
import { runWkg } from "./helpers.js";
import { HTTP_WASM, filesUnder, witPackage, workspace } from "./workspace.js";

afterAll(cleanupTempDirs);

/** A chain a <- b <- c, as a workspace of three members (c first in the list, so order is earned). */
async function chain(ws: Awaited<ReturnType<typeof workspace>>, options: { workspace?: boolean } = {}) {
  const files: Record<string, string> = {
    ...(options.workspace === false ? {} : { "wkg.toml": `[workspace]\nmembers = ["c/wit", "b/wit", "a/wit"]\n` }),
    "a/wit/a.wit": "package example:a@0.1.0;\n\ninterface types {\n  type id = u64;\n}\n",
    "b/wit/b.wit": "package example:b@0.1.0;\n\ninterface api {\n  use example:a/types@0.1.0.{id};\n  get: func() -> id;\n}\n",
    "c/wit/c.wit": "package example:c@0.1.0;\n\nworld app {\n  import example:b/api@0.1.0;\n}\n",
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(ws.cwd, path, ".."), { recursive: true });
    await writeFile(join(ws.cwd, path), text);
  }
}

const registryFiles = async (root: string) => (await filesUnder(root)).filter((f) => f.endsWith(".wasm"));

describe("wkg publish of several packages", () => {
  it("publishes a workspace in dependency order, each built against the others being published", async () => {
    const ws = await workspace();
    await chain(ws);
    const result = await ws.run(["publish", "--workspace"]);
    expect(result.stderr).toContain("Planned 3 packages, dependencies first");
    expect(result.code).toBe(0);
    const order = [...result.stderr.matchAll(/Published (\S+) to files/g)].map((m) => m[1]);
    expect(order).toEqual(["example:a@0.1.0", "example:b@0.1.0", "example:c@0.1.0"]);
    expect(await registryFiles(ws.registry)).toEqual(["example/a/0.1.0.wasm", "example/b/0.1.0.wasm", "example/c/0.1.0.wasm"]);
    // b was built before a was in any registry: a came from disk, and b embeds it as written.
    const b = decodeWasm(new Uint8Array(await readFile(join(ws.registry, "example", "b", "0.1.0.wasm"))));
    const a = b.resolve.topologicalPackages().find((id) => b.resolve.pkg(id).name.name === "a");
    expect(a).toBeDefined();
    expect(printPackage(b.resolve, a as never)).toContain("type id = u64;");
    // Nothing was written into the project: no lock, no deps, no outputs.
    expect((await filesUnder(ws.cwd)).filter((f) => !f.endsWith(".wit") && f !== "wkg.toml")).toEqual([]);
  });

  it("resolves the set's packages from disk even when the registry holds the same version", async () => {
    // An older build of a@0.1.0 sits in the registry: b must still be built against a as written here.
    const ws = await workspace({ "example:a@0.1.0": await witPackage("example:a@0.1.0", "type id = u32;") });
    await chain(ws, { workspace: false });
    const result = await ws.run(["publish", "c/wit", "b/wit", "a/wit", "--skip-dupes"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("warning: Skipping publish: example:a@0.1.0 already exists in the registry, with different content");
    const b = decodeWasm(new Uint8Array(await readFile(join(ws.registry, "example", "b", "0.1.0.wasm"))));
    const a = b.resolve.topologicalPackages().find((id) => b.resolve.pkg(id).name.name === "a");
    expect(printPackage(b.resolve, a as never)).toContain("type id = u64;");
  });

  it("--dry-run prints the plan (and --json gives it as data), uploading nothing", async () => {
    const ws = await workspace();
    await chain(ws);
    const text = await ws.run(["publish", "--workspace", "--dry-run"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      "Publish plan (3 packages, dependencies first; dry run, nothing uploaded):\n" +
        "  1. example:a@0.1.0 to files from a/wit (built)\n" +
        "  2. example:b@0.1.0 to files from b/wit (built) after example:a\n" +
        "  3. example:c@0.1.0 to files from c/wit (built) after example:b\n",
    );
    const json = await ws.run(["publish", "--workspace", "--dry-run", "--json"]);
    const doc = JSON.parse(json.stdout);
    expect(doc.ok).toBe(true);
    expect(
      doc.plan.map(
        (p: { order: number; package: string; version: string; registry: string; relativePath: string; dependsOn: string[] }) => [
          p.order,
          p.package,
          p.version,
          p.registry,
          p.relativePath,
          p.dependsOn,
        ],
      ),
    ).toEqual([
      [1, "example:a", "0.1.0", "files", "a/wit", []],
      [2, "example:b", "0.1.0", "files", "b/wit", ["example:a"]],
      [3, "example:c", "0.1.0", "files", "c/wit", ["example:b"]],
    ]);
    expect(doc.published.map((p: { dryRun: boolean }) => p.dryRun)).toEqual([true, true, true]);
    expect(await registryFiles(ws.registry)).toEqual([]);
  });

  it("publishes directories and files given as paths in order, and names a cycle", async () => {
    const ws = await workspace();
    await chain(ws);
    // c as a binary built by wkg build; a and b as directories, listed last.
    expect((await ws.run(["build", "--workspace"])).code).toBe(0);
    const result = await ws.run(["publish", "example:c@0.1.0.wasm", "b/wit", "a"]);
    expect(result.stderr).not.toContain("error");
    expect(result.code).toBe(0);
    expect([...result.stderr.matchAll(/Published (\S+) to files/g)].map((m) => m[1])).toEqual([
      "example:a@0.1.0",
      "example:b@0.1.0",
      "example:c@0.1.0",
    ]);
    expect(await readFile(join(ws.registry, "example", "c", "0.1.0.wasm"))).toEqual(await readFile(join(ws.cwd, "example:c@0.1.0.wasm")));

    await writeFile(join(ws.cwd, "a/wit/a.wit"), "package example:a@0.2.0;\n\ninterface types {\n  use example:c/x@0.2.0.{t};\n}\n");
    await writeFile(
      join(ws.cwd, "c/wit/c.wit"),
      "package example:c@0.2.0;\n\ninterface x {\n  use example:a/types@0.2.0.{};\n  type t = u8;\n}\n",
    );
    const cycle = await ws.run(["publish", "a/wit", "c/wit"]);
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toContain(
      "error: the packages being published depend on each other in a cycle: example:a -> example:c -> example:a",
    );
  });

  it("stops at a failure saying what was and was not published; --skip-dupes finishes the rest", async () => {
    // b's version already sits in the registry with other content: the publish stops there.
    const other = await witPackage("example:b@0.1.0", "other: func();");
    const ws = await workspace({ "example:b@0.1.0": other });
    await chain(ws);
    const failed = await ws.run(["publish", "--workspace"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("Published example:a@0.1.0 to files");
    expect(failed.stderr).toContain("error: publishing stopped at example:b@0.1.0: example:b@0.1.0 already exists in registry files");
    expect(failed.stderr).toContain("  published: example:a@0.1.0\n");
    expect(failed.stderr).toContain("  not published: example:b@0.1.0, example:c@0.1.0\n");
    expect(failed.stderr).toContain("--skip-dupes");
    expect(await registryFiles(ws.registry)).toEqual(["example/a/0.1.0.wasm", "example/b/0.1.0.wasm"]);

    const rerun = await ws.run(["publish", "--workspace", "--skip-dupes", "--json"]);
    expect(rerun.code).toBe(0);
    const doc = JSON.parse(rerun.stdout);
    const published = doc.published.map((p: { package: string; skipped?: string; identical?: boolean }) => [
      p.package,
      p.skipped ?? null,
      p.identical ?? null,
    ]);
    expect(published).toEqual([
      ["example:a", "already exists", true],
      ["example:b", "already exists", false],
      ["example:c", null, null],
    ]);
    expect(doc.warnings[0].message).toContain("Skipping publish: example:b@0.1.0 already exists in the registry, with different content");
    expect(doc.warnings[0].message).toContain(`files has ${Digest.of(other)}`);
    // b's other content is left as it was; c is now published.
    expect(Buffer.compare(await readFile(join(ws.registry, "example", "b", "0.1.0.wasm")), other)).toBe(0);
    expect(await registryFiles(ws.registry)).toEqual(["example/a/0.1.0.wasm", "example/b/0.1.0.wasm", "example/c/0.1.0.wasm"]);
  });

  it("checks the workspace's shared wkg.lock: refused until `wkg fetch` has locked the registry dependencies", async () => {
    const ws = await workspace({ "wasi:http@0.2.0": await readFile(HTTP_WASM) });
    await chain(ws);
    await writeFile(
      join(ws.cwd, "c/wit/c.wit"),
      "package example:c@0.1.0;\n\nworld app {\n  import example:b/api@0.1.0;\n  import wasi:http/types@0.2.0;\n}\n",
    );
    const refused = await ws.run(["publish", "--workspace"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${join(ws.cwd, "wkg.lock")} (building example:c@0.1.0):\n+ wasi:http =0.2.0 -> 0.2.0`);
    expect(await registryFiles(ws.registry)).toEqual(["wasi/http/0.2.0.wasm"]);
    expect((await ws.run(["fetch"])).code).toBe(0);
    const lock = await readFile(join(ws.cwd, "wkg.lock"), "utf8");
    const published = await ws.run(["publish", "--workspace"]);
    expect(published.code).toBe(0);
    expect(await registryFiles(ws.registry)).toHaveLength(4);
    expect(await readFile(join(ws.cwd, "wkg.lock"), "utf8")).toBe(lock);
  });

  it("explains what it cannot take: paths with --workspace, no paths, a component among several", async () => {
    const ws = await workspace();
    await chain(ws);
    const both = await ws.run(["publish", "--workspace", "a/wit"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("`--workspace` selects every workspace member; do not also pass explicit path arguments");
    const none = await ws.run(["publish"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no publish targets: pass one or more paths, or run from a workspace with --workspace");
    // (component (type (func (param "x" u32))) (import "log" (func (type 0))))
    const component = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x08, 0x01, 0x40, 0x01, 0x01, 0x78, 0x79, 0x01, 0x00, 0x0a, 0x08, 0x01, 0x00,
      0x03, 0x6c, 0x6f, 0x67, 0x01, 0x00,
    ]);
    await writeFile(join(ws.cwd, "app.wasm"), component);
    const withComponent = await ws.run(["publish", "a/wit", "app.wasm"]);
    expect(withComponent.code).toBe(1);
    expect(withComponent.stderr).toContain("error: app.wasm is a component: several paths and --workspace publish WIT packages");
    expect(withComponent.stderr).toContain(
      "help: publish a component on its own: wkg publish app.wasm --package <namespace>:<name>@<version>",
    );
    await writeFile(join(ws.cwd, "junk.wasm"), "not wasm");
    const junk = await ws.run(["publish", "a/wit", "junk.wasm"]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toContain("error: cannot publish junk.wasm: it is not a wasm binary");
    expect(await registryFiles(ws.registry)).toEqual([]);
  });
});

describe("wkg publish <dir>", () => {
  const project = {
    "proj/wkg.toml": '[metadata]\ndescription = "Uses wasi:http"\nlicenses = "MIT"\n',
    "proj/wit/app.wit": "package example:app@1.0.0;\n\nworld app {\n  import wasi:http/types@0.2.0;\n}\n",
  };

  it("builds the project with its metadata and refuses while wkg.lock would change; --dry-run shows the change", async () => {
    const ws = await workspace({ "wasi:http@0.2.0": await readFile(HTTP_WASM) });
    for (const [path, text] of Object.entries(project)) {
      await mkdir(join(ws.cwd, path, ".."), { recursive: true });
      await writeFile(join(ws.cwd, path), text);
    }
    const refused = await ws.run(["publish", "proj"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error: wkg.lock would be updated during publish, aborting; nothing was published:");
    expect(refused.stderr).toContain(`${join(ws.cwd, "proj", "wkg.lock")} (building example:app@1.0.0):\n+ wasi:http =0.2.0 -> 0.2.0`);
    expect(await readdir(join(ws.cwd, "proj"))).toEqual(["wit", "wkg.toml"]);

    const dry = await ws.run(["publish", "proj", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("would change to build example:app@1.0.0:\n+ wasi:http =0.2.0 -> 0.2.0");
    expect(dry.stdout).toContain("1. example:app@1.0.0 to files from proj (built)");
    expect(await readdir(join(ws.cwd, "proj"))).toEqual(["wit", "wkg.toml"]);
    expect(await readdir(join(ws.registry, "wasi"))).toEqual(["http"]);
    expect(await readdir(ws.registry)).toEqual(["wasi"]);

    // Once the lock is committed (wkg build writes it), publish goes through and leaves it alone.
    expect((await runWkg(["build", "-o", "../out.wasm"], { env: ws.env, cwd: join(ws.cwd, "proj") })).code).toBe(0);
    const lock = await readFile(join(ws.cwd, "proj", "wkg.lock"), "utf8");
    const published = await ws.run(["publish", "proj/wit"]);
    expect(published.stderr).toContain("Published example:app@1.0.0 to files");
    expect(published.code).toBe(0);
    expect(await readFile(join(ws.cwd, "proj", "wkg.lock"), "utf8")).toBe(lock);
    // The published package is what wkg build makes: metadata from wkg.toml included.
    const bytes = new Uint8Array(await readFile(join(ws.registry, "example", "app", "1.0.0.wasm")));
    expect(Buffer.from(bytes).includes(Buffer.from("Uses wasi:http"))).toBe(true);
    expect(Buffer.compare(bytes, await readFile(join(ws.cwd, "out.wasm")))).toBe(0);
  });
});
