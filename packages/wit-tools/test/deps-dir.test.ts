import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { MANAGED_LIST, replaceDeps } from "../src/deps-dir.js";

afterAll(cleanupTempDirs);

const pkg = (name: string, text: string) => ({ kind: "dir" as const, name, files: { "package.wit": text } });

describe("replaceDeps", () => {
  it("writes entries and records which ones it manages", async () => {
    const wit = await tempDir();
    const deps = join(wit, "deps");
    const change = await replaceDeps(deps, [
      pkg("wasi-io-0.2.0", "package wasi:io@0.2.0;\n"),
      { kind: "file", name: "wasi-cli-0.2.0.wasm", bytes: new Uint8Array([0, 97, 115, 109]) },
    ]);
    expect(change.added).toEqual(["wasi-cli-0.2.0.wasm", "wasi-io-0.2.0"]);
    expect(await readFile(join(deps, "wasi-io-0.2.0", "package.wit"), "utf8")).toBe("package wasi:io@0.2.0;\n");
    expect((await readFile(join(deps, MANAGED_LIST), "utf8")).split("\n").slice(1, 3)).toEqual(["wasi-cli-0.2.0.wasm", "wasi-io-0.2.0"]);
    expect(await readdir(wit)).toEqual(["deps"]);
  });

  it("keeps the user's own entries, removes only stale managed ones, and reports changes", async () => {
    const wit = await tempDir();
    const deps = join(wit, "deps");
    await mkdir(join(deps, "my-local"), { recursive: true });
    await writeFile(join(deps, "my-local", "local.wit"), "package my:local;\n");
    await replaceDeps(deps, [pkg("wasi-io-0.2.0", "a"), pkg("wasi-clocks-0.2.0", "b")]);
    const change = await replaceDeps(deps, [pkg("wasi-io-0.2.0", "a2"), pkg("wasi-http-0.2.0", "c")]);
    expect(change).toEqual({
      added: ["wasi-http-0.2.0"],
      updated: ["wasi-io-0.2.0"],
      removed: ["wasi-clocks-0.2.0"],
      unchanged: [],
      kept: ["my-local"],
      adopted: [],
    });
    expect((await readdir(deps)).sort()).toEqual([MANAGED_LIST, "my-local", "wasi-http-0.2.0", "wasi-io-0.2.0"]);
    expect(await readFile(join(deps, "my-local", "local.wit"), "utf8")).toBe("package my:local;\n");
  });

  it("manages adopted entries (written without a marker) as its own: replaced, removed, and listed", async () => {
    const wit = await tempDir();
    const deps = join(wit, "deps");
    for (const name of ["wasi-io-0.2.0", "wasi-clocks-0.2.0", "my-local"]) {
      await mkdir(join(deps, name), { recursive: true });
      await writeFile(join(deps, name, "package.wit"), name);
    }
    const change = await replaceDeps(deps, [pkg("wasi-io-0.2.0", "wasi-io-0.2.0")], ["wasi-io-0.2.0", "wasi-clocks-0.2.0"]);
    expect(change).toMatchObject({ unchanged: ["wasi-io-0.2.0"], removed: ["wasi-clocks-0.2.0"], kept: ["my-local"] });
    expect(change.adopted).toEqual(["wasi-clocks-0.2.0", "wasi-io-0.2.0"]);
    expect((await readdir(deps)).sort()).toEqual([MANAGED_LIST, "my-local", "wasi-io-0.2.0"]);
    expect(await readFile(join(deps, MANAGED_LIST), "utf8")).toContain("\nwasi-io-0.2.0\n");
    // Once listed, they are wkg's: nothing left to adopt.
    expect((await replaceDeps(deps, [pkg("wasi-io-0.2.0", "wasi-io-0.2.0")])).adopted).toEqual([]);
  });

  it("touches nothing when nothing changed", async () => {
    const wit = await tempDir();
    const deps = join(wit, "deps");
    await replaceDeps(deps, [pkg("wasi-io-0.2.0", "a")]);
    const before = (await stat(join(deps, "wasi-io-0.2.0", "package.wit"))).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const change = await replaceDeps(deps, [pkg("wasi-io-0.2.0", "a")]);
    expect(change.unchanged).toEqual(["wasi-io-0.2.0"]);
    expect((await stat(join(deps, "wasi-io-0.2.0", "package.wit"))).mtimeMs).toBe(before);
  });

  it("restores the old deps after a run killed between its renames", async () => {
    const wit = await tempDir();
    const deps = join(wit, "deps");
    await replaceDeps(deps, [pkg("wasi-io-0.2.0", "old")]);
    const { rename } = await import("node:fs/promises");
    await rename(deps, join(wit, ".deps.old-dead"));
    await mkdir(join(wit, ".deps.new-dead", "half"), { recursive: true });
    const change = await replaceDeps(deps, [pkg("wasi-io-0.2.0", "old")]);
    expect(change.unchanged).toEqual(["wasi-io-0.2.0"]);
    expect((await readdir(wit)).sort()).toEqual(["deps"]);
  });

  it("refuses names that would escape deps/", async () => {
    const wit = await tempDir();
    await expect(replaceDeps(join(wit, "deps"), [pkg("../evil", "x")])).rejects.toMatchObject({ code: "UNSAFE_PATH" });
    await expect(replaceDeps(join(wit, "deps"), [{ kind: "dir", name: "ok", files: { "../x.wit": "x" } }])).rejects.toMatchObject({
      code: "UNSAFE_PATH",
    });
    expect(await readdir(wit)).toEqual([]);
  });
});
