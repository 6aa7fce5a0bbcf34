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
