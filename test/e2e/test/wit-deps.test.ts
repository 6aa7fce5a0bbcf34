import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { decodeWasm } from "@wasm-pkg/wit";
import { afterAll, describe, expect, it } from "vitest";
import { filesUnder, localRegistryHome, tree } from "./project.js";

afterAll(cleanupTempDirs);

/** wasm-tools' `crates/wit-parser/tests/ui/kinds-of-deps` (see fixtures/wasm-tools/README.md). */
const KINDS_OF_DEPS = fileURLToPath(new URL("../fixtures/wasm-tools/kinds-of-deps/", import.meta.url));

const cli = (version: string) => `package wasi:cli@${version};\n\ninterface environment {\n  get-arguments: func() -> list<string>;\n}\n`;

/** A project whose own `wit/deps` holds two versions of one package, as real projects ship. */
async function twoVersions(extra: Record<string, string> = {}): Promise<string> {
  return await tree({
    "wit/world.wit":
      "package my:app@1.0.0;\n\nworld app {\n  import wasi:cli/environment@0.2.3;\n  import wasi:cli/environment@0.2.4;\n}\n",
    "wit/deps/wasi-cli-0.2.3/environment.wit": cli("0.2.3"),
    "wit/deps/wasi-cli-0.2.4/environment.wit": cli("0.2.4"),
    ...extra,
  });
}

const built = async (path: string) =>
  decodeWasm(new Uint8Array(await readFile(path)))
    .resolve.knownPackageNames()
    .sort();

describe("the user's own wit/deps, read as wit-parser's push_dir reads it", () => {
  it("build: two versions of one package in deps/ are two packages", async () => {
    const h = await localRegistryHome();
    const project = await twoVersions();
    const result = await h.run(["build", "--json"], project);
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    expect(await built(join(project, "my:app@1.0.0.wasm"))).toEqual(["my:app@1.0.0", "wasi:cli@0.2.3", "wasi:cli@0.2.4"]);
  });

  it("fetch: two versions of one package in deps/ are kept as they are", async () => {
    const h = await localRegistryHome();
    const project = await twoVersions();
    const result = await h.run(["fetch"], project);
    expect(result.code).toBe(0);
    expect(await filesUnder(join(project, "wit", "deps"))).toEqual(["wasi-cli-0.2.3/environment.wit", "wasi-cli-0.2.4/environment.wit"]);
  });

  it("the same package and version twice is still an error naming both places", async () => {
    const h = await localRegistryHome();
    const project = await twoVersions({ "wit/deps/cli-copy/environment.wit": cli("0.2.3") });
    const result = await h.run(["build"], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("wasi:cli@0.2.3 is provided twice");
    expect(result.stderr).toContain("deps/cli-copy");
    expect(result.stderr).toContain("deps/wasi-cli-0.2.3");
  });

  it("a directory in deps/ without .wit files is an error naming it, as in wit-parser", async () => {
    const h = await localRegistryHome();
    const project = await twoVersions({ "wit/deps/stray/notes.txt": "not WIT" });
    const result = await h.run(["build"], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("deps/stray holds no .wit files");
  });

  it("build reads every kind of dependency: a directory, .wit, .wat and .wasm (wit-parser ui/kinds-of-deps)", async () => {
    const h = await localRegistryHome();
    const project = await tempDir();
    await cp(KINDS_OF_DEPS, join(project, "wit"), { recursive: true });
    const result = await h.run(["build", "-o", "a.wasm"], project);
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    expect(await built(join(project, "a.wasm"))).toEqual(["a:a", "b:b", "c:c", "d:d", "e:e"]);
    // fetch leaves them alone: they are the user's, and none needs a registry.
    expect((await h.run(["fetch"], project)).code).toBe(0);
    expect(await filesUnder(join(project, "wit", "deps"))).toEqual(["b/root.wit", "c.wit", "d.wat", "e.wasm"]);
  });
});
