import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeWasm, encodeWitPackage, printPackage, Resolve } from "../src/index.js";
import { generatePackage } from "./generate.js";

const packages = fc.array(fc.nat(), { minLength: 64, maxLength: 256 }).map(generatePackage);

function resolveText(text: string) {
  const resolve = new Resolve({ allFeatures: true });
  const pkg = resolve.pushText("gen.wit", text);
  return { resolve, pkg };
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
        fc.pre(pkgInfo.interfaces.size + pkgInfo.worlds.size > 0);
        const bytes = encodeWitPackage(resolve, pkg);
        const decoded = decodeWasm(bytes);
        if (decoded.kind !== "wit-package") throw new Error("expected a WIT package");
        expect(printPackage(decoded.resolve, decoded.package)).toBe(printPackage(resolve, pkg));
        expect(Buffer.from(encodeWitPackage(decoded.resolve, decoded.package)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
