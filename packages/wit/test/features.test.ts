import { describe, expect, it } from "vitest";
import { printPackage, resolveWitFiles } from "../src/index.js";

const GATED = `package a:b;

interface foo {
  @unstable(feature = inactive)
  type gated = u32;

  record r {
    field-a: u32,
    field-b: gated,
  }
}
`;

const OPTIONAL = `package a:b;

interface foo {
  @unstable(feature = x)
  type tx = u32;
  @unstable(feature = y)
  type ty = u32;
  type plain = u32;
}
`;

function resolveText(text: string, options: { features?: string[]; allFeatures?: boolean }) {
  const { resolve, package: pkg } = resolveWitFiles([{ path: "t.wit", contents: text }], { ...options, path: "t" });
  return printPackage(resolve, pkg);
}

describe("feature gates, as wit-parser's `features` and `all_features`", () => {
  it("keeps no gated item without features, the named ones with a set, every one with allFeatures", () => {
    expect(resolveText(OPTIONAL, {})).not.toMatch(/tx|ty =/);
    const named = resolveText(OPTIONAL, { features: ["y"] });
    expect(named).toContain("type ty = u32;");
    expect(named).not.toContain("type tx");
    const all = resolveText(OPTIONAL, { allFeatures: true });
    expect(all).toContain("type tx = u32;");
    expect(all).toContain("type ty = u32;");
  });

  it("reports a record field using a gated-out type at the field, as upstream", () => {
    let message = "";
    try {
      resolveText(GATED, { features: ["active"] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("found a reference to a type which is excluded due to its feature not being activated");
    expect(message).toContain("--> t.wit:9:5");
    expect(message).toContain("field-b: gated,");
  });
});
