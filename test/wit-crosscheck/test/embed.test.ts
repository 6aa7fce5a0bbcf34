import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as component from "@bytecodealliance/jco-transpile/component";
import * as tools from "@bytecodealliance/jco-transpile/wasm-tools";
import { decodeModuleWit, embedWit, printPackages, type Resolve, resolveWitFiles } from "@wasm-pkg/wit";
import { beforeAll, describe, expect, it } from "vitest";

/** wasm-tools' `tests/cli` cases whose RUN line is `component embed --dummy ... | component wit`. */
const CASES = join(import.meta.dirname, "../../../apps/wkg/test/fixtures/wasm-tools-cli");
const CORE_MODULE_CASES: Array<[string, string?]> = [
  ["component-wit-of-core-module"],
  ["print-core-wasm-wit"],
  ["print-core-wasm-wit-multiple-packages", "bar:bar/my-world"],
  ["multiple-packages-one-world"],
];

beforeAll(async () => {
  await component.$init;
});

/** Sections of a wasm binary: `[id, a custom section's name, the whole section, a custom section's data]`. */
function sections(bytes: Uint8Array): Array<[number, string, Uint8Array, Uint8Array]> {
  const out: Array<[number, string, Uint8Array, Uint8Array]> = [];
  let i = 8;
  const u32 = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[i++] as number;
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
    }
  };
  while (i < bytes.length) {
    const start = i;
    const id = bytes[i++] as number;
    const size = u32();
    const end = i + size;
    let name = "";
    if (id === 0) {
      const n = u32();
      name = new TextDecoder().decode(bytes.subarray(i, i + n));
      i += n;
    }
    out.push([id, name, bytes.subarray(start, end), bytes.subarray(i, end)]);
    i = end;
  }
  return out;
}

/** The `component-type` payload of a core module, without its `producers` section (it names the tool). */
function witSection(module: Uint8Array): string {
  const custom = sections(module).find(([id, name]) => id === 0 && name.startsWith("component-type"));
  if (!custom) throw new Error("no component-type section");
  const payload = custom[3];
  const kept = sections(payload).filter(([id, name]) => !(id === 0 && name === "producers"));
  return Buffer.concat([payload.subarray(0, 8), ...kept.map(([, , b]) => b)]).toString("hex");
}

function world(resolve: Resolve, main: number, spec?: string): number {
  if (!spec) return [...resolve.pkg(main).worlds.values()][0] as number;
  const [pkg, name] = spec.split("/") as [string, string];
  return resolve.pkg(resolve.findPackage(pkg) as number).worlds.get(name) as number;
}

describe("WIT embedded in core modules, against wit-component (jco-transpile's wasm build)", () => {
  for (const [name, spec] of CORE_MODULE_CASES) {
    const source = () => readFileSync(join(CASES, `${name}.wit`), "utf8");

    it(`${name}: decodeModuleWit reads what \`component embed --dummy\` writes, and prints the golden`, async () => {
      const module = await tools.componentEmbed({ witSource: source(), dummy: true, ...(spec ? { world: spec } : {}) });
      const decoded = decodeModuleWit(module);
      expect(decoded).toBeDefined();
      const { resolve, world: root } = decoded as NonNullable<typeof decoded>;
      const printed = printPackages(resolve, resolve.world(root).package as number);
      expect(`${printed.trimEnd()}\n`).toBe(readFileSync(join(CASES, `${name}.wit.stdout`), "utf8"));
    });

    it(`${name}: embedWit writes the section \`component embed\` writes (producers aside)`, async () => {
      const theirs = await tools.componentEmbed({ witSource: source(), dummy: true, ...(spec ? { world: spec } : {}) });
      const { resolve, package: main } = resolveWitFiles([{ path: `${name}.wit`, contents: source() }]);
      const ours = embedWit(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]), resolve, world(resolve, main, spec));
      expect(witSection(ours)).toContain(Buffer.from("wit-component-encoding").toString("hex"));
      expect(witSection(ours)).toBe(witSection(theirs));
    });
  }
});
