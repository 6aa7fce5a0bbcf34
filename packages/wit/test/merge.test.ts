import { describe, expect, it } from "vitest";
import { printPackage, Resolve } from "../src/index.js";

function resolveOf(text: string): Resolve {
  const resolve = new Resolve();
  resolve.pushText("dep.wit", text);
  return resolve;
}

function printed(resolve: Resolve, name: string): string {
  return printPackage(resolve, resolve.findPackage(name) as number);
}

describe("Resolve.merge of two views of one interface", () => {
  const A = "package foo:foo;\ninterface a {\n  type t = u32;\n  record r { x: t }\n  b: func(x: t);\n}\n";
  const B = "package foo:foo;\ninterface a {\n  type t = u32;\n  type extra = list<t>;\n  a: func() -> extra;\n}\n";

  it("adds the types and functions only the merged-in side has, after the existing ones", () => {
    const into = resolveOf(A);
    into.merge(resolveOf(B));
    expect(printed(into, "foo:foo")).toBe(
      "package foo:foo;\n\ninterface a {\n  type t = u32;\n\n  record r {\n    x: t,\n  }\n\n  type extra = list<t>;\n\n  b: func(x: t);\n\n  a: func() -> extra;\n}\n\n",
    );
  });

  it("merges the other way round too", () => {
    const into = resolveOf(B);
    into.merge(resolveOf(A));
    const text = printed(into, "foo:foo");
    expect(text).toContain("record r {");
    expect(text).toContain("b: func(x: t);");
    expect(text).toContain("a: func() -> extra;");
  });

  it("still refuses functions that both have but disagree on", () => {
    const into = resolveOf("package foo:foo;\ninterface a {\n  f: func(x: u32);\n}\n");
    expect(() => into.merge(resolveOf("package foo:foo;\ninterface a {\n  f: func(y: u32);\n}\n"))).toThrow(
      /mismatch in function `f`: different function parameter names: y != x/,
    );
  });
});
