import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { addMetadata, encodeWitPackage, Resolve } from "@wasm-pkg/wit";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { runWkg } from "./helpers.js";

afterAll(cleanupTempDirs);

const DEP = "package wasi:io@0.2.0;\ninterface streams { resource input-stream; }\n";
const ROOT = "package my:app@1.0.0;\n\n/// The app world.\nworld app {\n  import wasi:io/streams@0.2.0;\n  export run: func();\n}\n";

async function witDir(root = ROOT): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, "deps", "io"), { recursive: true });
  await writeFile(join(dir, "app.wit"), root);
  await writeFile(join(dir, "deps", "io", "streams.wit"), DEP);
  return dir;
}

async function binary(): Promise<string> {
  const resolve = new Resolve();
  resolve.pushText("io.wit", DEP);
  const pkg = resolve.pushText("app.wit", ROOT);
  const bytes = addMetadata(encodeWitPackage(resolve, pkg), { description: "demo app", licenses: "MIT" });
  const file = join(await tempDir(), "app.wasm");
  await writeFile(file, bytes);
  return file;
}

describe("wkg inspect", () => {
  it("resolves a WIT directory with deps/ and shows the package", async () => {
    const dir = await witDir();
    const result = await runWkg(["inspect", dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("my:app@1.0.0: WIT package (directory)");
    expect(result.stdout).toContain("  worlds:\n    app\n");
    expect(result.stdout).toContain("  dependencies:\n    wasi:io@0.2.0\n");
  });

  it("prints the package as WIT with --wit, its dependencies nested after it as upstream does", async () => {
    const result = await runWkg(["inspect", await witDir(), "--wit"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "package my:app@1.0.0;\n\n/// The app world.\nworld app {\n  import wasi:io/streams@0.2.0;\n\n  export run: func();\n}\n" +
        "package wasi:io@0.2.0 {\n  interface streams {\n    resource input-stream;\n  }\n}\n",
    );
  });

  it("reports a WIT error with its location and exits 1", async () => {
    const dir = await witDir("package my:app;\nworld app {\n  import nope;\n}\n");
    const result = await runWkg(["inspect", dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("interface or world `nope` does not exist");
    expect(result.stderr).toContain("app.wit:3:10");
  });

  it("shows a binary WIT package with its dependencies and metadata, and --json", async () => {
    const file = await binary();
    const text = await runWkg(["inspect", file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^my:app@1\.0\.0: WIT package \(binary\), \d+ bytes\n/);
    expect(text.stdout).toContain("    description: demo app\n");
    expect(text.stdout).toContain("    licenses: MIT\n");
    const json = await runWkg(["inspect", file, "--json"]);
    const report = JSON.parse(json.stdout);
    expect(report.kind).toBe("wit-package");
    expect(report.package).toEqual({ name: "my:app", version: "1.0.0", interfaces: [], worlds: ["app"] });
    expect(report.dependencies).toEqual(["wasi:io@0.2.0"]);
    expect(report.metadata.producers["processed-by"][0][0]).toBe("@wasm-pkg/wit");
  });

  it("prints a binary package's WIT exactly as it was written", async () => {
    const result = await runWkg(["inspect", await binary(), "--wit"]);
    expect(result.stdout).toBe(
      "package my:app@1.0.0;\n\n/// The app world.\nworld app {\n  import wasi:io/streams@0.2.0;\n\n  export run: func();\n}\n" +
        "package wasi:io@0.2.0 {\n  interface streams {\n    resource input-stream;\n  }\n}\n",
    );
  });

  it("fails clearly on a file that is not wasm", async () => {
    const file = join(await tempDir(), "notes.txt");
    await writeFile(file, "hello");
    const result = await runWkg(["inspect", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is neither a WebAssembly binary nor a WIT file");
  });
});

describe("wkg inspect on a component", () => {
  it("lists the component's imports", async () => {
    // (component (type (func (param "x" u32))) (import "log" (func (type 0))))
    const bytes = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x08, 0x01, 0x40, 0x01, 0x01, 0x78, 0x79, 0x01, 0x00, 0x0a, 0x08, 0x01, 0x00,
      0x03, 0x6c, 0x6f, 0x67, 0x01, 0x00,
    ]);
    const file = join(await tempDir(), "c.wasm");
    await writeFile(file, bytes);
    const result = await runWkg(["inspect", file, "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: "component", imports: ["log"], exports: [] });
    const wit = await runWkg(["inspect", file, "--wit"]);
    expect(wit.stdout).toBe("package root:component;\n\nworld root {\n  import log: func(x: u32);\n}\n");
  });
});
