import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { embedWit, encodeWitPackage, type Resolve, resolveWitPath } from "@wasm-pkg/wit";
import { afterAll, describe, expect, it } from "vitest";
import { runWkg } from "./helpers.js";

afterAll(cleanupTempDirs);

/** wasm-tools' `tests/cli` cases (see fixtures/wasm-tools-cli/README.md). */
const CASES = fileURLToPath(new URL("./fixtures/wasm-tools-cli/", import.meta.url));
const golden = (name: string) => readFile(join(CASES, `${name}.wit.stdout`), "utf8");

/**
 * As upstream's `tests/cli.rs` compares: backslashes turned into slashes (for Windows paths),
 * trailing whitespace trimmed, one newline kept.
 */
const asHarness = (output: string) => `${output.replaceAll("\\", "/").trimEnd()}\n`;

/** `wkg inspect --wit <path>`: exit 0 and stdout only. */
async function inspectWit(path: string): Promise<string> {
  const result = await runWkg(["inspect", path, "--wit"]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
  return result.stdout;
}

/** The case's package encoded as wasm-tools' `component wit % --wasm` (or `-t`) does. */
async function encoded(name: string): Promise<string> {
  const { resolve, package: pkg } = await resolveWitPath(join(CASES, `${name}.wit`));
  const file = join(await tempDir(), `${name}.wasm`);
  await writeFile(file, encodeWitPackage(resolve, pkg));
  return file;
}

/** An empty core module: `component wit` reads only its custom sections. */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** `component embed --dummy [--world ns:pkg/w] %`: a core module carrying the world's WIT. */
async function embedded(name: string, world?: string): Promise<string> {
  const { resolve, package: main } = await resolveWitPath(join(CASES, `${name}.wit`));
  const file = join(await tempDir(), `${name}.wasm`);
  await writeFile(file, embedWit(EMPTY_MODULE, resolve, selectWorld(resolve, main, world)));
  return file;
}

/** wit-parser's `select_world`, for the two forms the cases use. */
function selectWorld(resolve: Resolve, main: number, spec?: string): number {
  if (spec === undefined) {
    const worlds = [...resolve.pkg(main).worlds.values()];
    expect(worlds).toHaveLength(1);
    return worlds[0] as number;
  }
  const [pkgName, worldName] = spec.split("/") as [string, string];
  const pkg = resolve.findPackage(pkgName) as number;
  return resolve.pkg(pkg).worlds.get(worldName) as number;
}

describe("wkg inspect --wit prints what `wasm-tools component wit` prints", () => {
  // `component wit %` and `component wit --all-features %` (wkg resolves with every feature on).
  for (const name of ["print-interfaces-in-world-correctly", "roundtrip-external-id", "wit-stability-inherited", "wit-with-all-features"]) {
    it(`${name}: a WIT file, its other packages nested after it`, async () => {
      expect(asHarness(await inspectWit(join(CASES, `${name}.wit`)))).toBe(await golden(name));
    });
  }

  // `component wit % --wasm | component wit` and `component wit % -t | component wit`.
  for (const name of [
    "component-docs-roundtrip",
    "external-id-in-binary-format",
    "wit-stability-in-binary-format",
    "wit-world-async-func-toplevel",
  ]) {
    it(`${name}: the package's binary`, async () => {
      expect(asHarness(await inspectWit(await encoded(name)))).toBe(await golden(name));
    });
  }

  // `component embed --dummy [--wat] [--world W] % | component wit`: WIT embedded in a core module.
  for (const [name, world] of [
    ["component-wit-of-core-module"],
    ["print-core-wasm-wit"],
    ["print-core-wasm-wit-multiple-packages", "bar:bar/my-world"],
    ["multiple-packages-one-world"],
  ] as Array<[string, string?]>) {
    it(`${name}: a core module with embedded WIT prints root:root and the packages it uses`, async () => {
      expect(asHarness(await inspectWit(await embedded(name, world)))).toBe(await golden(name));
    });
  }

  it("a core module without embedded WIT is an error (exit 1), as upstream", async () => {
    const file = join(await tempDir(), "bare.wasm");
    await writeFile(file, EMPTY_MODULE);
    const result = await runWkg(["inspect", file, "--wit"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no `component-type*` custom sections");
    const summary = await runWkg(["inspect", file]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain("core module");
  });

  it("a core module's summary lists the imports and exports of its embedded world", async () => {
    const result = await runWkg(["inspect", await embedded("component-wit-of-core-module"), "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: "module", imports: ["x"], exports: ["y"] });
  });

  it("a WIT directory prints its deps/ packages nested, and the same through --json", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "a.wit"), "package a:a;\n\ninterface i {\n  use b:b/t.{x};\n}\n");
    await mkdir(join(dir, "deps", "b"), { recursive: true });
    await writeFile(join(dir, "deps", "b", "t.wit"), "package b:b;\n\ninterface t {\n  type x = u8;\n}\n");
    await writeFile(join(dir, "deps", "c.wit"), "package c:c;\n\ninterface u {}\n\nworld w {}\n");
    const expected =
      "package a:a;\n\ninterface i {\n  use b:b/t.{x};\n}\n\n" +
      "package b:b {\n  interface t {\n    type x = u8;\n  }\n}\n\n\n" +
      "package c:c {\n  interface u {\n  }\n  world w {\n  }\n}\n";
    expect(await inspectWit(dir)).toBe(expected);
    const json = await runWkg(["inspect", dir, "--wit", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, wit: expected });
  });

  // The goldens are trimmed by upstream's harness; the command itself ends with a blank line here.
  it("keeps the blank line the output ends with when the package ends with an interface", async () => {
    const file = join(await tempDir(), "x.wit");
    await writeFile(file, "package x:y;\n\ninterface i {}\n");
    expect(await inspectWit(file)).toBe("package x:y;\n\ninterface i {\n}\n\n");
  });

  it("reads a .wat file as wasm-tools does: a WIT package in WebAssembly text", async () => {
    const file = join(await tempDir(), "d.wat");
    await writeFile(file, '(component\n  (type $d (component\n    (export "d:d/d" (instance))\n  ))\n  (export "d" (type $d))\n)\n');
    expect(await inspectWit(file)).toBe("package d:d;\n\ninterface d {\n}\n\n");
    const summary = await runWkg(["inspect", file]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain("d:d: WIT package (binary)");
  });

  it("a .wat file that is not valid text is an error naming the file", async () => {
    const file = join(await tempDir(), "bad.wat");
    await writeFile(file, "(component (type $d (nonsense)))\n");
    const result = await runWkg(["inspect", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("bad.wat");
  });
});
