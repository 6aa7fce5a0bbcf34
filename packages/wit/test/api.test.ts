import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isWkgError, WkgError } from "@wasm-pkg/common";
import { describe, expect, it } from "vitest";
import {
  addMetadata,
  componentInterfaces,
  decodeWasm,
  encodeWitPackage,
  foreignDependencies,
  packageIdentity,
  parseWitText,
  printPackage,
  readMetadata,
  Resolve,
  semverCheck,
  wasmKind,
} from "../src/index.js";
import { FIXTURES } from "./fixtures.js";

const binaryWit = new Uint8Array(readFileSync(join(FIXTURES, "wasm/binary_wit.wasm")));

function encode(text: string): Uint8Array {
  const resolve = new Resolve();
  const pkg = resolve.pushText("test.wit", text);
  return encodeWitPackage(resolve, pkg, { producers: null });
}

function thrown(f: () => unknown): WkgError {
  try {
    f();
  } catch (error) {
    if (error instanceof WkgError) return error;
    throw new Error(`expected a WkgError, got ${String(error)}`);
  }
  throw new Error("expected an error");
}

describe("wasmKind", () => {
  it("tells WIT packages, modules and other files apart", () => {
    expect(wasmKind(binaryWit)).toBe("wit-package");
    expect(wasmKind(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBe("module");
    expect(wasmKind(new TextEncoder().encode("package a:b;"))).toBe("not-wasm");
    // A component that imports something is not a WIT package.
    const component = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 0x07, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00]);
    expect(wasmKind(new Uint8Array([...component, 0x0a, 0x06, 0x01, 0x00, 0x01, 0x66, 0x01, 0x00]))).toBe("component");
  });
});

describe("packageIdentity", () => {
  it("reads the name and version of a WIT package", () => {
    expect(packageIdentity(binaryWit)).toEqual({ name: "wasi:http", version: "0.2.0" });
    expect(packageIdentity(encode("package a:b; interface i {}"))).toEqual({ name: "a:b" });
  });

  it("rejects bytes that are not wasm with WASM_DECODE", () => {
    const error = thrown(() => packageIdentity(new TextEncoder().encode("hello")));
    expect(error.code).toBe("WASM_DECODE");
  });
});

describe("componentInterfaces", () => {
  it("lists a WIT package's interfaces, world exports and worlds", () => {
    const { imports, exports } = componentInterfaces(binaryWit);
    expect(imports).toEqual([]);
    expect(exports).toContain("wasi:http/types@0.2.0");
    expect(exports).toContain("wasi:http/incoming-handler@0.2.0");
    expect(exports).toContain("wasi:http/proxy@0.2.0");
    expect(new Set(exports).size).toBe(exports.length);
  });
});

describe("metadata", () => {
  it("adds name, producers and the OCI annotation sections in wasm-metadata's order", () => {
    const base = encode("package a:b@1.2.3; world w { export run: func(); }");
    const out = addMetadata(base, {
      name: "a:b",
      processedBy: [["wasm-pkg-core", "0.16.1"]],
      authors: "Jane <jane@example.com>",
      description: "demo",
      licenses: "Apache-2.0 WITH LLVM-exception OR MIT",
      source: "https://foobar.baz",
      homepage: "https://example.com/x",
      revision: "abc123",
      version: "1.2.3",
    });
    const meta = readMetadata(out);
    expect(meta).toEqual({
      kind: "component",
      name: "a:b",
      producers: { "processed-by": [["wasm-pkg-core", "0.16.1"]] },
      authors: "Jane <jane@example.com>",
      description: "demo",
      licenses: "Apache-2.0 WITH LLVM-exception OR MIT",
      source: "https://foobar.baz/",
      homepage: "https://example.com/x",
      revision: "abc123",
      version: "1.2.3",
    });
    // Still the same package.
    expect(packageIdentity(out)).toEqual({ name: "a:b", version: "1.2.3" });
  });

  it("merges into an existing producers section in place", () => {
    const out = addMetadata(binaryWit, { processedBy: [["wasm-pkg-core", "0.16.1"]] });
    expect(readMetadata(out).producers?.["processed-by"]).toEqual([
      ["wit-component", "0.200.0"],
      ["wit", "0.7.0 (f98de99 2024-02-27)"],
      ["wasm-pkg-core", "0.16.1"],
    ]);
    // Only the producers section grew.
    expect(out.length).toBe(binaryWit.length + "wasm-pkg-core".length + "0.16.1".length + 2);
  });

  it("replaces a field that is set again instead of duplicating it", () => {
    const once = addMetadata(binaryWit, { description: "one" });
    const twice = addMetadata(once, { description: "two" });
    expect(readMetadata(twice).description).toBe("two");
    expect(twice.length).toBe(once.length);
  });

  it("rejects invalid SPDX expressions and URLs", () => {
    expect(thrown(() => addMetadata(binaryWit, { licenses: "Not A License" })).code).toBe("INVALID_CONTENT");
    expect(thrown(() => addMetadata(binaryWit, { source: "not a url" })).code).toBe("INVALID_CONTENT");
  });
});

describe("foreignDependencies", () => {
  it("lists foreign packages of the main and nested packages, not the nested ones themselves", () => {
    const group = parseWitText(
      `package my:app@0.1.0;
       world w { import wasi:http/handler@0.2.0; import my:local/i; use wasi:io/streams@0.2.0.{input-stream}; }
       package my:local { interface i { use wasi:io/streams@0.2.0.{output-stream}; use other:pkg/x.{t}; } }`,
      "app.wit",
    );
    // In wit-parser's visiting order: a world's `use`s before its imports.
    expect(foreignDependencies(group)).toEqual([
      { name: "wasi:io", version: "0.2.0" },
      { name: "wasi:http", version: "0.2.0" },
      { name: "other:pkg" },
    ]);
  });
});

describe("semverCheck (wkg-behaviour §13 publish_semver_check)", () => {
  const pkg = (version: string, worlds: Record<string, string>) =>
    encode(
      `package example:pkg@${version};\n${Object.entries(worlds)
        .map(([name, body]) => `world ${name} { ${body} }`)
        .join("\n")}`,
    );
  const addBase = "export base: func() -> u32;";
  const addExtra = `${addBase} export extra: func() -> u32;`;
  const changeBase = "export base: func() -> string;";
  const ok = (a: Uint8Array, b: Uint8Array) => expect(() => semverCheck(a, b)).not.toThrow();
  const incompatible = (a: Uint8Array, b: Uint8Array) => {
    const error = thrown(() => semverCheck(a, b, { previous: "0.1.0", next: "0.1.1" }));
    expect(error.code).toBe("SEMVER_INCOMPATIBLE");
    expect(error.message).toMatch(/^new version 0\.1\.1 is not semver-compatible with existing version 0\.1\.0: /);
    return error;
  };

  it("allows adding an export", () => ok(pkg("0.1.0", { "the-world": addBase }), pkg("0.1.1", { "the-world": addExtra })));
  it("rejects changing an export's type", () => {
    incompatible(pkg("0.1.0", { "the-world": addBase }), pkg("0.1.1", { "the-world": changeBase }));
  });
  it("checks every world", () => {
    ok(pkg("1.2.0", { alpha: addBase, beta: addBase }), pkg("1.3.0", { alpha: addExtra, beta: addExtra }));
    incompatible(pkg("1.2.0", { alpha: addBase, beta: addBase }), pkg("1.3.0", { alpha: addExtra, beta: changeBase }));
    ok(pkg("1.2.0", { alpha: addBase }), pkg("1.3.0", { alpha: addExtra, beta: addBase }));
  });
  it("rejects a removed world", () => {
    const error = incompatible(pkg("1.2.0", { alpha: addBase, beta: addBase }), pkg("1.3.0", { alpha: addBase }));
    expect(error.message).toContain("world `beta` was removed");
  });
  it("passes packages without worlds", () =>
    ok(encode("package a:b@0.1.0; interface i { f: func(); }"), encode("package a:b@0.1.1; interface i { g: func(); }")));
  it("compares interface exports structurally, ignoring package versions", () => {
    const v1 = encode("package a:b@0.1.0; interface i { record r { x: u32 } f: func(a: r); } world w { export i; }");
    const v2 = encode("package a:b@0.1.1; interface i { record r { x: u32 } f: func(a: r); g: func(); } world w { export i; }");
    const v3 = encode("package a:b@0.1.2; interface i { record r { x: u64 } f: func(a: r); } world w { export i; }");
    ok(v1, v2);
    incompatible(v1, v3);
  });
});

describe("decodeWasm", () => {
  it("returns WkgError WASM_DECODE for truncated input", () => {
    const error = thrown(() => decodeWasm(binaryWit.subarray(0, 1000)));
    expect(isWkgError(error, "WASM_DECODE")).toBe(true);
  });
});

describe("implements (`import label: iface;`)", () => {
  it("resolves, prints, encodes and decodes with the label kept", () => {
    const text =
      "package foo:foo;\n\ninterface store {\n  get: func() -> option<string>;\n}\n\nworld test {\n  import primary: store;\n  import backup: store;\n}\n";
    const resolve = new Resolve();
    const pkg = resolve.pushText("test.wit", text);
    expect(printPackage(resolve, pkg)).toBe(text);
    const bytes = encodeWitPackage(resolve, pkg);
    const decoded = decodeWasm(bytes);
    if (decoded.kind !== "wit-package") throw new Error("expected a WIT package");
    expect(printPackage(decoded.resolve, decoded.package)).toBe(text);
    expect(Buffer.from(encodeWitPackage(decoded.resolve, decoded.package)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe("resolveWitFiles", () => {
  it("resolves in-memory files with in-memory deps, binary ones included", async () => {
    const { resolveWitFiles } = await import("../src/index.js");
    const { resolve, package: pkg } = resolveWitFiles(
      [{ path: "wit/app.wit", contents: "package my:app;\nworld app { import wasi:http/incoming-handler@0.2.0; }\n" }],
      { deps: [{ kind: "file", path: "wit/deps/http.wasm", bytes: binaryWit }], path: "wit" },
    );
    expect(resolve.pkg(pkg).worlds.has("app")).toBe(true);
    expect(resolve.packages.map((p) => `${p.name.namespace}:${p.name.name}`)).toEqual([
      "wasi:io",
      "wasi:clocks",
      "wasi:cli",
      "wasi:http",
      "my:app",
    ]);
  });
});

describe("Resolve.findCompatiblePackage", () => {
  it("finds the highest version on the same semver track", async () => {
    const { SemVer } = await import("../src/index.js");
    const resolve = new Resolve();
    for (const v of ["0.2.0", "0.2.3", "0.3.0", "1.1.0", "1.4.2", "2.0.0-rc.1"])
      resolve.pushText(`${v}.wit`, `package a:b@${v}; interface i {}`);
    const find = (v?: string) => {
      const id = resolve.findCompatiblePackage("a", "b", v === undefined ? undefined : SemVer.parse(v));
      return id === undefined ? undefined : resolve.pkg(id).name.version?.toString();
    };
    expect(find("0.2.0")).toBe("0.2.0");
    expect(find("0.2.1")).toBe("0.2.3");
    expect(find("0.4.0")).toBeUndefined();
    expect(find("1.0.0")).toBe("1.4.2");
    expect(find("1.5.0")).toBeUndefined();
    expect(find("2.0.0-rc.1")).toBe("2.0.0-rc.1");
    expect(find()).toBe("1.4.2");
  });
});
