import { describe, expect, it } from "vitest";
import { decodeModuleWit, embedWit, encodeWitPackage, printPackages, Resolve } from "../src/index.js";

const MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** `module` with the world `name` of `text` embedded. */
function embed(module: Uint8Array, text: string, name: string): Uint8Array {
  const resolve = new Resolve();
  const pkg = resolve.pushText("w.wit", text);
  return embedWit(module, resolve, resolve.pkg(pkg).worlds.get(name) as number);
}

function printed(bytes: Uint8Array): string {
  const decoded = decodeModuleWit(bytes);
  if (!decoded) throw new Error("no WIT found");
  return printPackages(decoded.resolve, decoded.resolve.world(decoded.world).package as number);
}

describe("WIT embedded in a core module (component-type sections)", () => {
  it("a module without component-type sections carries no WIT", () => {
    expect(decodeModuleWit(MODULE)).toBeUndefined();
  });

  it("the world's own types and anonymous interfaces are copied into the root world", () => {
    const text = "package a:b;\n\nworld w {\n  type t = u32;\n  import f: func(x: t);\n  import i: interface {\n    g: func();\n  }\n}\n";
    const out = printed(embed(MODULE, text, "w"));
    const [root, nested] = out.split("package a:b {\n") as [string, string];
    const body = (block: string, indent: string) =>
      block
        .split("\n")
        .map((l) => l.replace(indent, ""))
        .join("\n");
    expect(root.startsWith("package root:root;\n\nworld root {\n")).toBe(true);
    expect(root).toContain("  type t = u32;\n  import f: func(x: t);\n");
    expect(root).toContain("  import i: interface {\n    g: func();\n  }\n");
    expect(body(root.slice(root.indexOf("world root {") + "world root {".length), "")).toBe(
      body(nested.slice(nested.indexOf("world w {") + "world w {".length, nested.lastIndexOf("}")), "  "),
    );
    // The copies belong to the root world: its type is its own, not the original's.
    const decoded = decodeModuleWit(embed(MODULE, text, "w")) as NonNullable<ReturnType<typeof decodeModuleWit>>;
    const rootType = decoded.resolve.world(decoded.world).imports.get("t");
    expect(rootType?.tag === "type" && decoded.resolve.type(rootType.id).owner).toEqual({ kind: "world", id: decoded.world });
  });

  it("several sections merge into one root world, sharing the interfaces they both use", () => {
    const text =
      "package a:b;\n\ninterface i {\n  f: func();\n}\n\nworld one {\n  import i;\n  import x: func();\n}\n\nworld two {\n  import i;\n  export y: func();\n}\n";
    const bytes = embed(embed(MODULE, text, "one"), text, "two");
    expect(printed(bytes)).toContain("world root {\n  import a:b/i;\n  import x: func();\n\n  export y: func();\n}\n");
  });

  it("two sections that both define one name are an error naming it, not a guess", () => {
    const one = "package a:b;\n\nworld w {\n  import x: func();\n}\n";
    const two = "package c:d;\n\nworld w {\n  import x: func(a: u8);\n}\n";
    expect(() => decodeModuleWit(embed(embed(MODULE, one, "w"), two, "w"))).toThrow(/import `x`/);
  });

  it("a section without wit-component-encoding is refused with upstream's message", () => {
    // A WIT package holding one world is a component-type payload without that section.
    const resolve = new Resolve();
    const pkg = resolve.pushText("w.wit", "package a:b;\n\nworld w {\n  import x: func();\n}\n");
    const module = new Uint8Array([...MODULE, ...custom("component-type", encodeWitPackage(resolve, pkg, { producers: null }))]);
    expect(() => decodeModuleWit(module)).toThrow(/missing custom section of name `wit-component-encoding`/);
    expect(() => decodeModuleWit(new Uint8Array([...MODULE, ...custom("component-type", new Uint8Array([0x03, 0x00]))]))).toThrow(
      /historical 0x03 format/,
    );
  });
});

/** A custom section `name` holding `data`. */
function custom(name: string, data: Uint8Array): Uint8Array {
  const body = [name.length, ...new TextEncoder().encode(name), ...data];
  return new Uint8Array([0x00, ...leb(body.length), ...body]);
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
