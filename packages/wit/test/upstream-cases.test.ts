import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assembleWat } from "../src/binary/wat.js";
import { decodeWasm, encodeWitPackage, printPackage, Resolve } from "../src/index.js";
import { FIXTURES } from "./fixtures.js";

/** wasm-tools' own cases that `fixtures/wit` lacks (see fixtures/wit-real/README.md). */
const REAL = join(FIXTURES, "wit-real");
const CLI = join(REAL, "tests/cli");
const INTERFACES = join(REAL, "crates/wit-component/tests/interfaces");
const UPSTREAM = { "processed-by": [["wit-component", "0.257.1"]] as Array<[string, string]> };

function read(path: string): string {
  return readFileSync(path, "utf8");
}

function resolveFile(path: string, text = read(path)) {
  const resolve = new Resolve({ allFeatures: true });
  const pkg = resolve.pushText(path, text);
  return { resolve, pkg };
}

/** parse → encode → decode → print, as `component wit % --wasm | component wit` does. */
function viaWasm(resolve: Resolve, pkg: number): string {
  const decoded = decodeWasm(encodeWitPackage(resolve, pkg));
  if (decoded.kind !== "wit-package") throw new Error("expected a WIT package");
  return printPackage(decoded.resolve, decoded.package);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString("hex")
    .replace(/(.{64})/g, "$1\n");
}

function worldBody(printed: string, world: string): string {
  const start = printed.indexOf(`world ${world} {`);
  return printed.slice(start, printed.indexOf("\n}\n", start) + 2);
}

describe("defect 1: one interface exported under several names keeps every export", () => {
  const cases: Array<[string, string, string[]]> = [
    ["nominal9.wit", "foo", ["export a: i;", "export b: i;"]],
    ["nominal11.wit", "foo", ["import dep;", "import a: i;", "import b: i;", "export a: i;", "export b: i;"]],
    ["nominal12.wit", "foo", ["import dep;", "import a: i;", "import b: i;", "export dep;", "export a: i;", "export b: i;"]],
    ["nominal13.wit", "w", ["import i;", "export i;", "export n: i;"]],
    ["dummy-implements-export-twice.wit", "w", ["export name;", "export n: name;"]],
    ["dummy-implements-export-twice-only.wit", "w", ["import a: name;", "import name;", "export a: name;", "export b: name;"]],
    ["dummy-canonical-and-implements-export.wit", "w", ["export a: name;", "export name;", "export b: name;"]],
  ];
  for (const [file, world, lines] of cases) {
    it(`${file}: print and encode→decode→print keep every import and export`, () => {
      const { resolve, pkg } = resolveFile(join(CLI, file));
      for (const printed of [printPackage(resolve, pkg), viaWasm(resolve, pkg)]) {
        const body = worldBody(printed, world);
        const items = body.split("\n").filter((l) => /^\s+(import|export) /.test(l));
        expect(items.map((l) => l.trim())).toEqual(lines);
      }
    });
  }

  it("interfaces/implements.wit encodes to the golden implements.wat and prints back as implements.wit.print", () => {
    const { resolve, pkg } = resolveFile(join(INTERFACES, "implements.wit"));
    const bytes = encodeWitPackage(resolve, pkg, { producers: UPSTREAM });
    const wat = read(join(INTERFACES, "implements.wat")).replaceAll("$CARGO_PKG_VERSION", "0.257.1");
    expect(hex(bytes)).toBe(hex(assembleWat(wat)));
    const decoded = decodeWasm(bytes);
    if (decoded.kind !== "wit-package") throw new Error("expected a WIT package");
    expect(printPackage(decoded.resolve, decoded.package)).toBe(read(join(INTERFACES, "implements.wit.print")));
  });
});

describe("defect 9: stability of an explicit import survives elaboration", () => {
  it("world-export-elaborated-import-stability.wit: `component wit % --wasm | component wit` round-trips", () => {
    const path = join(CLI, "world-export-elaborated-import-stability.wit");
    const { resolve, pkg } = resolveFile(path);
    const printed = printPackage(resolve, pkg);
    expect(worldBody(printed, "w")).toContain("  @since(version = 2.0.0)\n  @deprecated(version = 5.0.0)\n  import name;\n");
    // The round-trip RUN line compares the decoded print with the direct one.
    expect(viaWasm(resolve, pkg)).toBe(printed);
  });
});

describe("defect 4: the printer escapes every name wit-parser's printer escapes", () => {
  it("float32 and float64 as names print as %float32 and %float64 and parse back", () => {
    const text = "package a:b;\n\ninterface float32 {\n  type float64 = u32;\n  float32: func(float64: float64) -> float64;\n}\n";
    const { resolve, pkg } = resolveFile("floats.wit", text);
    const printed = printPackage(resolve, pkg);
    expect(printed).toBe(
      "package a:b;\n\ninterface %float32 {\n  type %float64 = u32;\n\n  %float32: func(%float64: %float64) -> %float64;\n}\n\n",
    );
    const again = resolveFile("printed.wit", printed);
    expect(printPackage(again.resolve, again.pkg)).toBe(printed);
  });
});

describe("defect 6: a package with no interfaces or worlds encodes", () => {
  it("`package x:y;` encodes to a component with no exports, which decodes as upstream's does", () => {
    const { resolve, pkg } = resolveFile("package.wit", "package x:y;\n");
    expect(printPackage(resolve, pkg)).toBe("package x:y;\n\n");
    const bytes = encodeWitPackage(resolve, pkg, { producers: UPSTREAM });
    // wit-component's encode: no type exports, then `package-docs` and `producers`.
    const wat = '(component (@custom "package-docs" "\\01{}") (@producers (processed-by "wit-component" "0.257.1")))';
    expect(hex(bytes)).toBe(hex(assembleWat(wat)));
    // With no exported component types the binary is not a WIT package to wit-parser's decoder
    // (`is_wit_package`), so it decodes as a component whose world is empty.
    const decoded = decodeWasm(bytes);
    expect(decoded.kind).toBe("component");
    if (decoded.kind !== "component") return;
    const root = decoded.resolve.world(decoded.world);
    expect([root.imports.size, root.exports.size]).toEqual([0, 0]);
    expect(printPackage(decoded.resolve, root.package as number)).toBe("package root:component;\n\nworld root {\n}\n");
  });
});

describe("defect 3: the component decoder follows (implements …) on imports and exports", () => {
  // The imports and exports of wit-component's tests/components/implements/component.wat (its
  // core module and shims left out: they do not change the world); the golden print is that case's.
  const wat = `(component
    (type $ty-a (instance (type (func)) (export "f" (func (type 0)))))
    (import "a" (instance $a (type $ty-a)))
    (type $ty-b (instance (type (func)) (export "f" (func (type 0)))))
    (import "b" (implements "a:b/i") (instance $b (type $ty-b)))
    (type $ty-c (instance (type (func)) (export "f" (func (type 0)))))
    (import "c" (implements "a:b/i") (instance $c (type $ty-c)))
    (export "a" (instance $a))
    (export "b" (implements "a:b/i") (instance $b))
    (export "c" (implements "a:b/i") (instance $c))
  )`;

  it("components/implements: prints `import b: a:b/i;` as component.wit.print does", () => {
    const decoded = decodeWasm(assembleWat(wat));
    if (decoded.kind !== "component") throw new Error("expected a component");
    const root = decoded.resolve.world(decoded.world).package as number;
    const golden = read(join(REAL, "crates/wit-component/tests/components/implements/component.wit.print"));
    expect(printPackage(decoded.resolve, root)).toBe(golden);
  });

  it("an (implements …) option on a function import is an error naming its offset", () => {
    const bad = `(component (type $f (func)) (import "f" (implements "a:b/i") (func (type $f))))`;
    expect(() => decodeWasm(assembleWat(bad))).toThrow(/`f` has an `implements` option but is not an instance \(at offset 0x[0-9a-f]+\)/);
  });

  it("a versionsuffix name option is an error naming its offset, not dropped", () => {
    const bad = `(component (type $i (instance)) (import "a:b/i@1" (versionsuffix ".2.3") (instance (type $i))))`;
    expect(() => decodeWasm(assembleWat(bad))).toThrow(
      /`versionsuffix` option of name `a:b\/i@1` is not supported \(at offset 0x[0-9a-f]+\)/,
    );
  });
});

describe("defect 2: @external-id is parsed, kept, printed, encoded and decoded", () => {
  /** tests/cli.rs compares outputs with `\` turned into `/`. */
  const cliText = (text: string) => text.replaceAll("\\", "/");

  it("roundtrip-external-id.wit: `component wit %` prints the golden .stdout, and survives the wasm round trip", () => {
    const path = join(CLI, "roundtrip-external-id.wit");
    const { resolve, pkg } = resolveFile(path);
    const printed = printPackage(resolve, pkg);
    expect(cliText(printed)).toBe(read(`${path}.stdout`));
    expect(viaWasm(resolve, pkg)).toBe(printed);
  });

  it("external-id-in-binary-format.wit: `component wit % --wasm | component wit` prints the golden .stdout", () => {
    const path = join(CLI, "external-id-in-binary-format.wit");
    const { resolve, pkg } = resolveFile(path);
    expect(cliText(viaWasm(resolve, pkg))).toBe(read(`${path}.stdout`));
  });

  it("dummy-external-id-world-items.wit: the world's items keep their external-ids through the binary", () => {
    const path = join(CLI, "dummy-external-id-world-items.wit");
    const { resolve, pkg } = resolveFile(path);
    const golden = read(`${path}.stdout`);
    const goldenBody = worldBody(golden, "root").split("\n").slice(1);
    expect(worldBody(viaWasm(resolve, pkg), "w").split("\n").slice(1)).toEqual(goldenBody);
  });

  it("a component's (external-id …) name options decode to @external-id", () => {
    const wat = `(component
      (type $f (func))
      (import "f" (external-id "ext f") (func (type $f)))
      (type $i (instance (export "t" (external-id "ext t") (type (sub resource)))))
      (import "a:b/i" (external-id "ext i") (instance (type $i)))
    )`;
    const decoded = decodeWasm(assembleWat(wat));
    if (decoded.kind !== "component") throw new Error("expected a component");
    const printed = printPackage(decoded.resolve, decoded.resolve.world(decoded.world).package as number);
    expect(printed).toContain('  @external-id("ext i")\n  import a:b/i;\n');
    expect(printed).toContain('  @external-id("ext f")\n  import f: func();\n');
    const iface = decoded.resolve.interfaces.find((i) => i.name === "i");
    const t = decoded.resolve.type(iface?.types.get("t") as number);
    expect(t.externalId).toBe("ext t");
  });

  it("@external-id where it would be lost, or twice, is an error naming file:line:col", () => {
    expect(() => resolveFile("x.wit", 'package a:b;\n\n@external-id("i")\ninterface i {}\n')).toThrow(
      /`@external-id` on an interface definition would be lost[\s\S]*x\.wit:3:2/,
    );
    expect(() => resolveFile("x.wit", 'package a:b;\n\n@external-id("w")\nworld w {}\n')).toThrow(
      /`@external-id` on a world definition[\s\S]*x\.wit:3:2/,
    );
    expect(() => resolveFile("x.wit", 'package a:b;\ninterface i {\n  @external-id("a")\n  @external-id("b")\n  f: func();\n}\n')).toThrow(
      /cannot specify @external-id twice[\s\S]*x\.wit:4:4/,
    );
  });
});
