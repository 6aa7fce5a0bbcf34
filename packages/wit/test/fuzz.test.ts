import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WkgError } from "@wasm-pkg/common";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addMetadata,
  componentInterfaces,
  decodeWasm,
  packageIdentity,
  parseWitText,
  readMetadata,
  Resolve,
  resolveWitSource,
  wasmKind,
} from "../src/index.js";
import { cases, FIXTURES } from "./fixtures.js";

/** Runs `f`; anything thrown must be a WkgError (never a TypeError, RangeError, ...). */
function onlyWkgErrors(f: () => unknown): void {
  try {
    f();
  } catch (error) {
    if (!(error instanceof WkgError)) throw new Error(`non-WkgError escaped: ${String(error)}`, { cause: error });
  }
}

const witInputs = cases("encode")
  .filter(({ json }) => json.inputKind === "file")
  .map(({ dir, json }) => readFileSync(join(dir, json.input), "utf8"));
const binaries = [
  new Uint8Array(readFileSync(join(FIXTURES, "wasm/binary_wit.wasm"))),
  ...cases("encode").map(({ dir }) => new Uint8Array(readFileSync(join(dir, "expected.wasm")))),
];

const mutation = fc.record({
  kind: fc.constantFrom("flip", "insert", "delete", "truncate", "duplicate"),
  at: fc.nat(),
  value: fc.nat({ max: 255 }),
  len: fc.integer({ min: 1, max: 64 }),
});

function mutate(data: Uint8Array, muts: Array<{ kind: string; at: number; value: number; len: number }>): Uint8Array {
  let out = data;
  for (const m of muts) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    switch (m.kind) {
      case "flip":
        out = out.slice();
        out[at] = m.value;
        break;
      case "insert":
        out = new Uint8Array([...out.subarray(0, at), m.value, ...out.subarray(at)]);
        break;
      case "delete":
        out = new Uint8Array([...out.subarray(0, at), ...out.subarray(at + m.len)]);
        break;
      case "truncate":
        out = out.subarray(0, at);
        break;
      case "duplicate":
        out = new Uint8Array([...out.subarray(0, at + m.len), ...out.subarray(at)]);
        break;
    }
  }
  return out;
}

describe("fuzzing: malformed input only ever raises WkgError", () => {
  it("WIT text: mutated golden inputs and random strings", () => {
    const text = fc.oneof(
      fc
        .tuple(fc.constantFrom(...witInputs), fc.array(mutation, { minLength: 1, maxLength: 4 }))
        .map(([src, muts]) => new TextDecoder().decode(mutate(new TextEncoder().encode(src), muts))),
      fc.string({ unit: "grapheme", maxLength: 200 }),
      fc
        .array(
          fc.constantFrom(
            "package",
            "a:b",
            ";",
            "{",
            "}",
            "interface",
            "world",
            "x",
            "use",
            ".",
            "/",
            "@",
            "1.0.0",
            "(",
            ")",
            "<",
            ">",
            ",",
            "func",
            "->",
            "list",
            "resource",
            "%",
            "\n",
            "/*",
            "*/",
            "//",
          ),
          {
            maxLength: 60,
          },
        )
        .map((t) => t.join(" ")),
    );
    fc.assert(
      fc.property(text, (src) => {
        onlyWkgErrors(() => parseWitText(src, "fuzz.wit"));
        onlyWkgErrors(() => new Resolve({ allFeatures: true }).pushText("fuzz.wit", src));
        onlyWkgErrors(() => resolveWitSource({ path: "dir", files: [{ path: "dir/a.wit", contents: src }], deps: [] }));
      }),
      { numRuns: 400 },
    );
  });

  it("binaries: mutated WIT packages through every binary entry point", () => {
    const bytes = fc
      .tuple(fc.constantFrom(...binaries), fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([b, muts]) => mutate(b, muts));
    fc.assert(
      fc.property(bytes, (b) => {
        expect(["module", "component", "wit-package", "not-wasm"]).toContain(wasmKind(b));
        onlyWkgErrors(() => decodeWasm(b));
        onlyWkgErrors(() => readMetadata(b));
        onlyWkgErrors(() => addMetadata(b, { name: "x:y", description: "d" }));
        onlyWkgErrors(() => packageIdentity(b));
        onlyWkgErrors(() => componentInterfaces(b));
        onlyWkgErrors(() => new Resolve().pushBinary(b));
      }),
      { numRuns: 400 },
    );
  });

  it("binaries: random bytes behind a component header", () => {
    const header = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        const b = new Uint8Array([...header, ...tail]);
        onlyWkgErrors(() => decodeWasm(b));
        onlyWkgErrors(() => readMetadata(b));
      }),
      { numRuns: 400 },
    );
  });
});
