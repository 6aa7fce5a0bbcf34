import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../src/binary/decode.js";
import { printPackage, printWitFiles } from "../src/print/printer.js";
import { cases, FIXTURES } from "./fixtures.js";

describe("decode wasm-tools golden binaries", () => {
  for (const { dir, json } of cases("encode")) {
    it(json.name, () => {
      const decoded = decodeBytes(new Uint8Array(readFileSync(join(dir, "expected.wasm"))));
      expect(decoded.kind).toBe("wit-package");
      if (decoded.kind !== "wit-package") return;
      expect(printPackage(decoded.resolve, decoded.package)).toBe(readFileSync(join(dir, "expected.wit"), "utf8"));
    });
  }
});

describe("binary_wit.wasm (wasi:http@0.2.0 from wasm-pkg-tools)", () => {
  it("decodes to the files unpackWit writes", () => {
    const decoded = decodeBytes(new Uint8Array(readFileSync(join(FIXTURES, "wasm/binary_wit.wasm"))));
    if (decoded.kind !== "wit-package") throw new Error("expected a WIT package");
    const files = printWitFiles(decoded.resolve, decoded.package);
    const root = join(FIXTURES, "wasm/binary_wit.expected");
    expect([...files.keys()].sort()).toEqual([
      "deps/wasi-cli-0.2.0/package.wit",
      "deps/wasi-clocks-0.2.0/package.wit",
      "deps/wasi-io-0.2.0/package.wit",
      "package.wit",
    ]);
    for (const [path, text] of files) expect(text, path).toBe(readFileSync(join(root, path), "utf8"));
  });
});

describe("legacy (v1) WIT package encoding", () => {
  it("decodes a package exported as `ns:pkg/wit`", async () => {
    const { assembleWat } = await import("../src/binary/wat.js");
    const bytes = assembleWat(`(component
      (type (;0;)
        (component
          (type (;0;) (instance (export (;0;) "t" (type (sub resource))) (type (;1;) (func (result u32))) (export "f" (func (type 1)))))
          (export (;0;) "a:b/i" (instance (type 0)))
          (type (;1;)
            (component
              (type (;0;) (instance (export (;0;) "t" (type (sub resource))) (type (;1;) (func (result u32))) (export "f" (func (type 1)))))
              (import "a:b/i" (instance (;0;) (type 0)))))
          (export (;1;) "a:b/w" (component (type 1)))))
      (export (;1;) "a:b/wit" (type 0)))`);
    const decoded = decodeBytes(bytes);
    if (decoded.kind !== "wit-package") throw new Error("expected a WIT package");
    expect(printPackage(decoded.resolve, decoded.package)).toBe(
      "package a:b;\n\ninterface i {\n  resource t;\n\n  f: func() -> u32;\n}\n\nworld w {\n  import i;\n}\n",
    );
  });
});
