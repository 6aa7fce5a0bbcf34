import { readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs } from "@wasm-pkg/test-utils";
import { parseLock } from "@wasm-pkg/lockfile";
import { encodeText, filesUnder, localRegistryHome, readText, tree } from "./project.js";

afterAll(cleanupTempDirs);

const DOG_FETCHER = "package dog:fetcher;\n\nworld app {\n  import wasi:http/outgoing-handler@0.2.0;\n}\n";

describe("wkg fetch never replaces an entry of wit/deps it did not write", () => {
  it("stops with the entry's path and what to do when a user's entry holds another package under a name it needs", async () => {
    const h = await localRegistryHome();
    const mine = "package mine:edited@0.2.0;\n\ninterface x {}\n";
    const project = await tree({ "wit/world.wit": DOG_FETCHER, "wit/deps/wasi-http-0.2.0/mine.wit": mine });

    const refused = await h.run(["fetch"], project);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "wit/deps/wasi-http-0.2.0 is in the way: wkg would write wasi:http@0.2.0 there, but wkg did not write this entry (it holds mine:edited@0.2.0)",
    );
    expect(refused.stderr).toMatch(/help: rename or remove \S*wit\/deps\/wasi-http-0.2.0/);
    // Nothing written: no lock, no marker, no other entry; the user's file as it was.
    expect(await filesUnder(project)).toEqual(["wit/deps/wasi-http-0.2.0/mine.wit", "wit/world.wit"]);
    expect(await readText(join(project, "wit", "deps", "wasi-http-0.2.0", "mine.wit"))).toBe(mine);

    // Moved out of the way, it is kept as the user's and wkg writes its own entry.
    await rename(join(project, "wit", "deps", "wasi-http-0.2.0"), join(project, "wit", "deps", "mine-edited"));
    expect((await h.run(["fetch"], project)).code).toBe(0);
    expect(await readText(join(project, "wit", "deps", "mine-edited", "mine.wit"))).toBe(mine);
    expect(await readText(join(project, "wit", "deps", "wasi-http-0.2.0", "package.wit"))).toContain("package wasi:http@0.2.0;");
  });

  it("--type wasm: a user's .wasm file under the name it needs is refused the same way", async () => {
    const h = await localRegistryHome();
    const bytes = encodeText("package mine:other@1.0.0;\n\ninterface x {}\n");
    const project = await tree({ "wit/world.wit": DOG_FETCHER, "wit/deps/wasi-http-0.2.0.wasm": bytes });
    const refused = await h.run(["fetch", "--type", "wasm", "--json"], project);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('"code": "DEPS_CONFLICT"');
    expect(refused.stdout).toContain("wit/deps/wasi-http-0.2.0.wasm is in the way");
    expect(await filesUnder(project)).toEqual(["wit/deps/wasi-http-0.2.0.wasm", "wit/world.wit"]);
    expect(Buffer.compare(await readFile(join(project, "wit", "deps", "wasi-http-0.2.0.wasm")), bytes)).toBe(0);
  });

  it("a user's edited copy of the very package wanted is used as theirs: left as it is, not locked", async () => {
    const h = await localRegistryHome();
    const fetched = await tree({ "wit/world.wit": DOG_FETCHER });
    expect((await h.run(["fetch"], fetched)).code).toBe(0);
    const edited = (await readText(join(fetched, "wit", "deps", "wasi-http-0.2.0", "package.wit"))).replace(
      "package wasi:http@0.2.0;",
      "/// Patched locally.\npackage wasi:http@0.2.0;",
    );
    const project = await tree({ "wit/world.wit": DOG_FETCHER, "wit/deps/wasi-http-0.2.0/package.wit": edited });

    const result = await h.run(["fetch"], project);
    expect(result.code).toBe(0);
    expect(await readText(join(project, "wit", "deps", "wasi-http-0.2.0", "package.wit"))).toBe(edited);
    expect(await readText(join(project, "wit", "deps", ".wkg-managed"))).not.toContain("wasi-http-0.2.0");
    const locked = parseLock(await readText(join(project, "wkg.lock"))).packages.map((p) => p.name.toString());
    expect(locked).not.toContain("wasi:http");
    expect(locked).toContain("wasi:io");
  });
});
