import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Digest } from "@wasm-pkg/common";
import { cleanupTempDirs, fakeInspector, fakeWasm, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { runWkg } from "./helpers.js";
import { EXAMPLES, HTTP_WASM, filesUnder, workspace } from "./workspace.js";

afterAll(cleanupTempDirs);

const versions = {
  "example:pkg@1.0.0": "one",
  "example:pkg@1.2.0": "one-two",
  "example:pkg@1.3.0-rc.1": "one-three-rc",
  "example:pkg@2.0.0-rc.1": "two-rc",
};

describe("wkg get", () => {
  it("gets wasi:http@0.2.0 from the embedded example registry: WIT text by default, wasm byte for byte on request", async () => {
    const cwd = await tempDir();
    const cache = await tempDir();
    const env = { HOME: cwd, WKG_CACHE_DIR: cache };
    const result = await runWkg(["get", "--config", join(EXAMPLES, "config.toml"), "wasi:http@0.2.0"], { env, cwd });
    expect(result.stderr).toContain("Fetching wasi:http@0.2.0 from examples.local");
    expect(result.code).toBe(0);
    // As upstream: the default `-o ./` writes a WIT package as its WIT text, as wasm-tools prints it.
    const wit = join(cwd, "wasi_http@0.2.0.wit");
    expect(result.stderr).toContain(`Wrote ${wit}`);
    expect(result.stdout).toBe("");
    expect(await readFile(wit, "utf8")).toBe(
      await readFile(join(EXAMPLES, "..", "packages", "wit", "test", "fixtures", "wasm", "binary_wit.expected", "package.wit"), "utf8"),
    );
    const raw = await runWkg(["get", "--config", join(EXAMPLES, "config.toml"), "wasi:http@0.2.0", "--format", "wasm"], { env, cwd });
    expect(raw.code).toBe(0);
    expect(Buffer.compare(await readFile(join(cwd, "wasi_http@0.2.0.wasm")), await readFile(HTTP_WASM))).toBe(0);
  });

  it("picks the highest release for latest and for a requirement, pre-releases only when asked", async () => {
    const ws = await workspace(versions);
    const pick = async (...argv: string[]) => {
      const out = await tempDir();
      const result = await ws.run(["get", ...argv, "-o", `${out}/`, "--json"]);
      return result.code === 0 ? (JSON.parse(result.stdout) as { version: string }).version : result;
    };
    expect(await pick("example:pkg")).toBe("1.2.0");
    expect(await pick("example:pkg@^1")).toBe("1.2.0");
    expect(await pick("example:pkg", "--prerelease")).toBe("2.0.0-rc.1");
    expect(await pick("example:pkg@^1", "--prerelease")).toBe("1.3.0-rc.1");
    expect(await pick("example:pkg@1.3.0-rc.1")).toBe("1.3.0-rc.1");
    expect(await pick("example:pkg@>=1.0.0, <1.2.0")).toBe("1.0.0");
    const none = await pick("example:pkg@^2");
    expect(none).toMatchObject({ code: 1 });
    expect((none as { stdout: string }).stdout).toContain('"code": "VERSION_NOT_FOUND"');
    expect((none as { stdout: string }).stdout).toContain("pass --prerelease");
  });

  it("reports an exact version that does not exist", async () => {
    const ws = await workspace(versions);
    const result = await ws.run(["get", "example:pkg@9.9.9"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: version not found: example:pkg@9.9.9");
    expect(await readdir(ws.cwd)).toEqual([]);
  });
});

describe("wkg get output naming", () => {
  it("treats a trailing separator as a directory, creating it", async () => {
    const ws = await workspace(versions);
    expect((await ws.run(["get", "example:pkg@1.0.0", "-o", "deps/nested/"])).code).toBe(0);
    expect(await readFile(join(ws.cwd, "deps", "nested", "example_pkg@1.0.0.wasm"), "utf8")).toBe("one");
  });

  it("writes a bare file name into the current directory (upstream HEAD rejects it)", async () => {
    const ws = await workspace(versions);
    const result = await ws.run(["get", "example:pkg@1.0.0", "-o", "out.wasm"]);
    expect(result.code).toBe(0);
    expect(await readdir(ws.cwd)).toEqual(["out.wasm"]);
    expect(await readFile(join(ws.cwd, "out.wasm"), "utf8")).toBe("one");
  });

  it("treats an existing directory without a trailing separator as a directory", async () => {
    const ws = await workspace(versions);
    await mkdir(join(ws.cwd, "vendor"));
    expect((await ws.run(["get", "example:pkg@1.2.0", "-o", "vendor"])).code).toBe(0);
    expect(await readdir(join(ws.cwd, "vendor"))).toEqual(["example_pkg@1.2.0.wasm"]);
  });

  it("refuses a file path in a directory that does not exist", async () => {
    const ws = await workspace(versions);
    const result = await ws.run(["get", "example:pkg@1.0.0", "-o", "missing/out.wasm"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: output directory ${join(ws.cwd, "missing")} does not exist`);
    expect(result.stderr).toContain('end the path with "/"');
  });

  it("never replaces a file without --overwrite, and leaves no temp files", async () => {
    const ws = await workspace(versions);
    await writeFile(join(ws.cwd, "out.wasm"), "mine");
    const refused = await ws.run(["get", "example:pkg@1.0.0", "-o", "out.wasm"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: ${join(ws.cwd, "out.wasm")} already exists`);
    expect(refused.stderr).toContain("--overwrite");
    expect(await readFile(join(ws.cwd, "out.wasm"), "utf8")).toBe("mine");
    const replaced = await ws.run(["get", "example:pkg@1.0.0", "-o", "out.wasm", "--overwrite"]);
    expect(replaced.code).toBe(0);
    expect(await readFile(join(ws.cwd, "out.wasm"), "utf8")).toBe("one");
    expect(await readdir(ws.cwd)).toEqual(["out.wasm"]);
  });

  it("warns when the output name does not say the format, and reports everything with --json", async () => {
    const ws = await workspace(versions);
    const result = await ws.run(["get", "example:pkg@1.0.0", "-o", "out.bin", "--json"]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      ok: true,
      package: "example:pkg",
      version: "1.0.0",
      registry: "files",
      digest: Digest.of("one").toString(),
      path: join(ws.cwd, "out.bin"),
      format: "wasm",
      size: 3,
      written: true,
    });
    expect(doc.warnings[0].message).toContain("couldn't infer output format");
  });
});

describe("wkg get --check", () => {
  it("exits 0 when the file matches, 3 when it differs or is missing, and never writes", async () => {
    const ws = await workspace(versions);
    expect((await ws.run(["get", "example:pkg@1.0.0", "-o", "out.wasm"])).code).toBe(0);
    const same = await ws.run(["get", "example:pkg@1.0.0", "-o", "out.wasm", "--check"]);
    expect(same.code).toBe(0);
    await writeFile(join(ws.cwd, "out.wasm"), new Uint8Array([1, 2, 3, 4]));
    const differs = await ws.run(["get", "example:pkg@1.0.0", "-o", "out.wasm", "--check"]);
    expect(differs.code).toBe(3);
    expect(differs.stderr).toContain(`differences between the registry's copy and ${join(ws.cwd, "out.wasm")}`);
    expect([...(await readFile(join(ws.cwd, "out.wasm")))]).toEqual([1, 2, 3, 4]);
    const missing = await ws.run(["get", "example:pkg@1.0.0", "-o", "gone.wasm", "--check", "--json"]);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout).error.code).toBe("CHECK_MISMATCH");
    expect(await readdir(ws.cwd)).toEqual(["out.wasm"]);
  });

  it("rejects --check with --overwrite as a usage error", async () => {
    const ws = await workspace(versions);
    expect((await ws.run(["get", "example:pkg@1.0.0", "--check", "--overwrite"])).code).toBe(2);
  });
});

describe("wkg get --format", () => {
  it("writes wasm and warns for --format wit when no WIT decoder is available", async () => {
    const ws = await workspace(versions);
    const result = await ws.run(["get", "example:pkg@1.0.0", "--format", "wit"], { inspector: null });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("cannot print WIT");
    expect(await readdir(ws.cwd)).toEqual(["example_pkg@1.0.0.wasm"]);
    const named = await ws.run(["get", "example:pkg@1.0.0", "-o", "x.wit"], { inspector: null });
    expect(named.code).toBe(1);
    expect(named.stderr).toContain("cannot write WIT text to");
  });

  it("prints a WIT package as WIT text and keeps a component as wasm, through the inspector", async () => {
    const witPkg = fakeWasm({ package: "example:iface@0.1.0", wit: "package example:iface@0.1.0;\n\ninterface i {}\n" });
    const component = fakeWasm({ kind: "component", wit: "world root {}\n" });
    const ws = await workspace({ "example:iface@0.1.0": witPkg, "example:app@1.0.0": component });
    const run = (...argv: string[]) => ws.run(["get", ...argv], { inspector: fakeInspector });
    expect((await run("example:iface@0.1.0")).code).toBe(0);
    expect(await readFile(join(ws.cwd, "example_iface@0.1.0.wit"), "utf8")).toBe("package example:iface@0.1.0;\n\ninterface i {}\n");
    expect((await run("example:app@1.0.0")).code).toBe(0);
    expect(Buffer.compare(await readFile(join(ws.cwd, "example_app@1.0.0.wasm")), component)).toBe(0);
    expect((await run("example:iface@0.1.0", "--format", "wasm", "-o", "raw/")).code).toBe(0);
    expect(await readdir(join(ws.cwd, "raw"))).toEqual(["example_iface@0.1.0.wasm"]);
    // --format wit on a component prints its world (upstream wrote the wasm, wasm-pkg-tools#160).
    expect((await run("example:app@1.0.0", "--format", "wit", "-o", "app.wit")).code).toBe(0);
    expect(await readFile(join(ws.cwd, "app.wit"), "utf8")).toBe("world root {}\n");
    // --check compares the WIT text.
    expect((await run("example:iface@0.1.0", "--check")).code).toBe(0);
    await writeFile(join(ws.cwd, "example_iface@0.1.0.wit"), "edited");
    expect((await run("example:iface@0.1.0", "--check")).code).toBe(3);
  });
});

describe("wkg get with hostile names", () => {
  it("skips file names in a local registry that are not versions, and writes only inside the output directory", async () => {
    const ws = await workspace({ "example:pkg@1.0.0": "good" });
    for (const name of ["..wasm", ".wasm", "...wasm"]) await writeFile(join(ws.registry, "example", "pkg", name), "evil");
    const result = await ws.run(["get", "example:pkg", "-o", "out/"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("..wasm: the file name is not <semver>.wasm");
    expect(await filesUnder(ws.cwd)).toEqual(["out/example_pkg@1.0.0.wasm"]);
  });
});
