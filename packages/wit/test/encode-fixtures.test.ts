import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../src/binary/decode.js";
import { encodePackage } from "../src/binary/encode.js";
import { pushDirSource, Resolve } from "../src/index.js";
import { pushFileBytes } from "../src/resolve/dir.js";
import { cases, loadDir } from "./fixtures.js";

const UPSTREAM = { "processed-by": [["wit-component", "0.257.1"]] as Array<[string, string]> };

function load(dir: string, json: { input: string; inputKind: string }) {
  const resolve = new Resolve();
  const input = join(dir, json.input);
  let pkg: number;
  if (json.inputKind === "directory") pkg = pushDirSource(resolve, loadDir(input, json.input));
  else {
    const result = pushFileBytes(resolve, json.input, new Uint8Array(readFileSync(input)));
    pkg = typeof result === "number" ? result : resolve.pushGroup(result);
  }
  return { resolve, pkg };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString("hex")
    .replace(/(.{64})/g, "$1\n");
}

describe("encode matches wit-component byte for byte", () => {
  for (const { dir, json } of cases("encode")) {
    it(json.name, () => {
      const { resolve, pkg } = load(dir, json);
      const bytes = encodePackage(resolve, pkg, { producers: UPSTREAM });
      const expected = new Uint8Array(readFileSync(join(dir, "expected.wasm")));
      expect(hex(bytes)).toBe(hex(expected));
    });
    it(`${json.name}: decoded binary re-encodes to the same bytes`, () => {
      const expected = new Uint8Array(readFileSync(join(dir, "expected.wasm")));
      const decoded = decodeBytes(expected);
      if (decoded.kind !== "wit-package") throw new Error("not a WIT package");
      expect(hex(encodePackage(decoded.resolve, decoded.package, { producers: UPSTREAM }))).toBe(hex(expected));
    });
  }
});

describe("WAT assembler", () => {
  for (const { dir, json } of cases("encode")) {
    it(`${json.name}: expected.wat assembles to expected.wasm`, async () => {
      const { assembleWat } = await import("../src/binary/wat.js");
      const wat = readFileSync(join(dir, "expected.wat"), "utf8").replaceAll("$CARGO_PKG_VERSION", "0.257.1");
      expect(hex(assembleWat(wat))).toBe(hex(new Uint8Array(readFileSync(join(dir, "expected.wasm")))));
    });
  }
});
