import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as component from "@bytecodealliance/jco-transpile/component";
import * as tools from "@bytecodealliance/jco-transpile/wasm-tools";
import {
  componentInterfaces,
  decodeWasm,
  encodeWitPackage,
  printPackage,
  printWitFiles,
  readMetadata,
  Resolve,
  wasmKind,
} from "@wasm-pkg/wit";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { generatePackage } from "../../../packages/wit/test/generate.js";

const WIT_FIXTURES = join(import.meta.dirname, "../../../packages/wit/test/fixtures");

beforeAll(async () => {
  await component.$init;
});

/** jco-transpile's wasm build of wit-component 0.259: decode + WitPrinter. */
function unpack(bytes: Uint8Array): Map<string, string> {
  const files = component.unpackWit(undefined, bytes) as Map<string, string>;
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function ours(bytes: Uint8Array): Map<string, string> {
  const decoded = decodeWasm(bytes);
  if (decoded.kind !== "wit-package") throw new Error("not a WIT package");
  return new Map([...printWitFiles(decoded.resolve, decoded.package)].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe("decoder + printer agree with unpackWit on every file it writes", () => {
  const binaries: Array<[string, string]> = [["binary_wit.wasm", join(WIT_FIXTURES, "wasm/binary_wit.wasm")]];
  for (const name of readdirSync(join(WIT_FIXTURES, "wit/encode")).sort()) {
    binaries.push([name, join(WIT_FIXTURES, "wit/encode", name, "expected.wasm")]);
  }
  for (const [name, path] of binaries) {
    it(name, () => {
      const bytes = new Uint8Array(readFileSync(path));
      expect(ours(bytes)).toEqual(unpack(bytes));
    });
  }
});

describe("our encoder's output reads back the same through unpackWit", () => {
  it("for generated packages", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 64, maxLength: 256 }).map((s) => generatePackage(s, { nonEmpty: true })),
        (text) => {
          const resolve = new Resolve({ allFeatures: true });
          const pkg = resolve.pushText("gen.wit", text);
          const p = resolve.pkg(pkg);
          fc.pre(p.interfaces.size + p.worlds.size > 0);
          const bytes = encodeWitPackage(resolve, pkg);
          expect(unpack(bytes).get("package.wit")).toBe(printPackage(resolve, pkg));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("newer syntax reads back through unpackWit", () => {
  const cases: Array<[string, string]> = [
    [
      "implements",
      "package foo:foo;\n\ninterface store {\n  get: func() -> option<string>;\n}\n\nworld test {\n  import primary: store;\n\n  export backup: store;\n}\n",
    ],
    [
      "async, maps, fixed-size lists, futures and streams",
      "package foo:bar@1.0.0;\n\ninterface i {\n  type m = map<string, list<u8, 4>>;\n\n  f: async func(s: stream<u8>) -> future<m>;\n}\n\n",
    ],
    [
      "gates and docs",
      "package foo:gated@1.2.0;\n\n/// an interface\n@since(version = 1.0.0)\ninterface i {\n  @unstable(feature = fancy)\n  @deprecated(version = 1.1.0)\n  f: func();\n}\n\n",
    ],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const resolve = new Resolve({ allFeatures: true });
      const pkg = resolve.pushText("x.wit", text);
      expect(printPackage(resolve, pkg)).toBe(text);
      expect(unpack(encodeWitPackage(resolve, pkg)).get("package.wit")).toBe(text);
    });
  }
});

describe("real components built by wit-component", () => {
  const worlds: Array<[string, string]> = [
    [
      "imports, exports and resources",
      `package my:app@1.0.0;
       interface types { record point { x: u32, y: u32 } resource counter { constructor(start: u32); get: func() -> u32; } }
       interface api { use types.{point, counter}; move: func(p: point) -> point; make: func() -> counter; }
       world app { import types; import log: func(msg: string); export api; export run: func() -> result<u32, string>; }`,
    ],
    [
      "exported resources and async",
      `package my:r@0.3.0;
       interface res { resource thing { constructor(); name: func() -> string; clone: func() -> thing; } make: func() -> thing; consume: func(t: thing); }
       interface more { use res.{thing}; wrap: func(t: borrow<thing>) -> list<thing>; tick: async func() -> u32; }
       world w { import wasi:io/poll@0.2.0; export res; export more; export go: func(); }
       package wasi:io@0.2.0 { interface poll { resource pollable; ready: func(p: borrow<pollable>) -> bool; } }`,
    ],
    [
      "world-level types and inline interfaces",
      `package my:w;
       world w {
         record cfg { name: string, tags: list<string> }
         import get-config: func() -> cfg;
         import inline: interface { flags perms { read, write } check: func(p: perms) -> bool; }
         export handle: func(c: cfg) -> option<u64>;
       }`,
    ],
  ];
  for (const [name, wit] of worlds) {
    it(name, async () => {
      const world = /world (\S+) \{/.exec(wit)?.[1];
      const core = await tools.componentEmbed({ dummy: true, witSource: wit, world });
      const bytes = await tools.componentNew(core);
      expect(wasmKind(bytes)).toBe("component");
      const decoded = decodeWasm(bytes);
      if (decoded.kind !== "component") throw new Error("expected a component");
      const pkg = decoded.resolve.world(decoded.world).package as number;
      expect(printPackage(decoded.resolve, pkg)).toBe(await tools.componentWit(bytes));
      const names = componentInterfaces(bytes);
      expect(names.exports.length).toBeGreaterThan(0);
      expect(readMetadata(bytes).kind).toBe("component");
    });
  }
});
