import { describe, expect, it } from "vitest";
import { assembleWat } from "../src/binary/wat.js";
import { decodeWasm, Resolve } from "../src/index.js";

/** What the toolchain does not understand is an error naming where it is, never an omission. */
describe("no silent loss: the decoder", () => {
  it("rejects an unknown component section, naming its offset", () => {
    const bytes = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x0d, 0x01, 0x00]);
    expect(() => decodeWasm(bytes)).toThrow(/unknown component section id 13 \(at offset 0x8\)/);
  });

  const pkg = (docs: string) => `(component
    (type (component (type (instance (type (func)) (export "f" (func (type 0))))) (export "a:b/i" (instance (type 0)))))
    (export "i" (type 0))
    (@custom "package-docs" "\\01${docs.replaceAll('"', "\\22")}")
  )`;

  it("reads package-docs that match the package", () => {
    const decoded = decodeWasm(assembleWat(pkg('{"interfaces":{"i":{"docs":"hello"}}}')));
    if (decoded.kind !== "wit-package") throw new Error("expected a WIT package");
    expect(decoded.resolve.interfaces.find((i) => i.name === "i")?.docs).toBe("hello");
  });

  const cases: Array<[string, string, RegExp]> = [
    ["a world the package lacks", '{"worlds":{"nope":{}}}', /missing world "nope"/],
    ["an interface the package lacks", '{"interfaces":{"nope":{}}}', /missing interface "nope"/],
    ["a function the interface lacks", '{"interfaces":{"i":{"funcs":{"nope":"docs"}}}}', /missing func "nope"/],
    ["a type the interface lacks", '{"interfaces":{"i":{"types":{"nope":{}}}}}', /missing type "nope"/],
  ];
  for (const [what, json, message] of cases) {
    it(`rejects package-docs for ${what}`, () => {
      expect(() => decodeWasm(assembleWat(pkg(json)))).toThrow(message);
    });
  }
});

describe("no silent loss: the parser", () => {
  it("rejects an unknown attribute at file:line:col", () => {
    const resolve = new Resolve();
    expect(() => resolve.pushText("a.wit", "package a:b;\ninterface i {\n  @frobnicate\n  f: func();\n}\n")).toThrow(
      /unknown attribute `frobnicate`[\s\S]*a\.wit:3:4/,
    );
  });
});
