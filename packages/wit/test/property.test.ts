import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeWasm, encodeWitPackage, printPackage, Resolve, type TypeDef, type WorldItem } from "../src/index.js";
import { generatePackage } from "./generate.js";

const packages = fc.array(fc.nat(), { minLength: 64, maxLength: 256 }).map((s) => generatePackage(s, { full: true }));

function resolveText(text: string) {
  const resolve = new Resolve({ allFeatures: true });
  const pkg = resolve.pushText("gen.wit", text);
  return { resolve, pkg };
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * What a package holds, counted: interfaces, named types, functions, every import and export
 * of every world (by name), docs, stability attributes and external-ids anywhere in it.
 */
function census(resolve: Resolve, pkgId: number) {
  const pkg = resolve.pkg(pkgId);
  const c = {
    interfaces: [...pkg.interfaces.keys()],
    types: 0,
    functions: 0,
    worlds: {} as Record<string, string[]>,
    docs: 0,
    stability: 0,
    externalIds: 0,
  };
  const docs = (d: string | undefined) => {
    if (d !== undefined) c.docs++;
  };
  const typeDef = (t: TypeDef) => {
    c.types++;
    docs(t.docs);
    if (t.stability.kind !== "unknown") c.stability++;
    if (t.externalId !== undefined) c.externalIds++;
    const k = t.kind;
    if (k.tag === "record") for (const f of k.fields) docs(f.docs);
    if (k.tag === "flags") for (const f of k.flags) docs(f.docs);
    if (k.tag === "variant" || k.tag === "enum") for (const x of k.cases) docs(x.docs);
  };
  const func = (f: { docs: string | undefined; stability: { kind: string }; externalId?: string | undefined }) => {
    c.functions++;
    docs(f.docs);
    if (f.stability.kind !== "unknown") c.stability++;
    if (f.externalId !== undefined) c.externalIds++;
  };
  const iface = (id: number) => {
    const i = resolve.iface(id);
    docs(i.docs);
    if (i.stability.kind !== "unknown") c.stability++;
    for (const t of i.types.values()) typeDef(resolve.type(t));
    for (const f of i.functions.values()) func(f);
  };
  docs(pkg.docs);
  for (const id of pkg.interfaces.values()) iface(id);
  for (const [name, id] of pkg.worlds) {
    const w = resolve.world(id);
    docs(w.docs);
    if (w.stability.kind !== "unknown") c.stability++;
    const items: string[] = [];
    const item = (dir: string, key: string | number, it: WorldItem) => {
      items.push(`${dir} ${resolve.nameWorldKey(key)}`);
      if (it.tag === "type") typeDef(resolve.type(it.id));
      else if (it.tag === "function") func(it.func);
      else {
        docs(it.docs);
        if (it.stability.kind !== "unknown") c.stability++;
        if (it.externalId !== undefined) c.externalIds++;
        // An inline interface belongs to the world; named ones are counted once, above.
        if (resolve.iface(it.id).name === undefined) iface(it.id);
      }
    };
    for (const [k, it] of w.imports) item("import", k, it);
    for (const [k, it] of w.exports) item("export", k, it);
    c.worlds[name] = items;
  }
  return c;
}

/** `import x;`, `export n0: x;`: the interface statements of a generated world. */
function interfaceStatements(worldText: string): string[] {
  return worldText.split("\n").filter((l) => /^ {2}(import|export) [\w-]+(: [\w-]+)?;$/.test(l));
}

function worldBlocks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^world ([\w-]+) \{\n([\s\S]*?)^\}$/gm)) out.set(m[1] as string, m[2] as string);
  return out;
}

describe("property: generated WIT packages", () => {
  it("print(parse(print(x))) is a fixed point", () => {
    fc.assert(
      fc.property(packages, (text) => {
        const first = resolveText(text);
        const printed = printPackage(first.resolve, first.pkg);
        const second = resolveText(printed);
        expect(printPackage(second.resolve, second.pkg)).toBe(printed);
      }),
      { numRuns: 150 },
    );
  });

  it("decode(encode(x)) prints like x and re-encodes to the same bytes", () => {
    fc.assert(
      fc.property(packages, (text) => {
        const { resolve, pkg } = resolveText(text);
        const pkgInfo = resolve.pkg(pkg);
        const bytes = encodeWitPackage(resolve, pkg);
        const decoded = decodeWasm(bytes);
        if (pkgInfo.interfaces.size + pkgInfo.worlds.size === 0) {
          // No exported component types: upstream's decoder, like ours, sees a component.
          expect(decoded.kind).toBe("component");
          return;
        }
        if (decoded.kind !== "wit-package") throw new Error("expected a WIT package");
        expect(printPackage(decoded.resolve, decoded.package)).toBe(printPackage(resolve, pkg));
        expect(Buffer.from(encodeWitPackage(decoded.resolve, decoded.package)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("every item that goes in comes out of parse, print and encode/decode (counted)", () => {
    fc.assert(
      fc.property(packages, (text) => {
        const { resolve, pkg } = resolveText(text);
        const parsed = census(resolve, pkg);
        // In: each doc comment and external-id of the source is in the model.
        expect(parsed.docs).toBe(count(text, "/// docs"));
        expect(parsed.externalIds).toBeGreaterThanOrEqual(count(text, "@external-id("));
        // Every interface import/export statement of every world is printed.
        const printed = printPackage(resolve, pkg);
        const printedWorlds = worldBlocks(printed);
        for (const [name, body] of worldBlocks(text)) {
          const out = interfaceStatements(printedWorlds.get(name) ?? "");
          for (const statement of interfaceStatements(body)) expect(out).toContain(statement);
        }
        expect(count(printed, "@external-id(")).toBe(parsed.externalIds);
        // Out: print → parse and encode → decode hold exactly the same items.
        const again = resolveText(printed);
        expect(census(again.resolve, again.pkg)).toEqual(parsed);
        const decoded = decodeWasm(encodeWitPackage(resolve, pkg));
        if (decoded.kind === "wit-package") expect(census(decoded.resolve, decoded.package)).toEqual(parsed);
        else expect(parsed.interfaces.length + Object.keys(parsed.worlds).length).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
