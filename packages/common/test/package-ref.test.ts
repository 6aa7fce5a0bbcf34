import { describe, expect, it } from "vitest";
import { PackageRef, PackageSpec, isWkgError, labelProblem } from "../src/index.js";

describe("labels", () => {
  it.each(["wasi", "http", "example-a", "my-pkg2", "a1-b2-c3"])("accepts %s", (label) => {
    expect(labelProblem(label)).toBeUndefined();
  });

  it.each([
    ["", "labels may not be empty"],
    ["Wasi", "must begin with an ASCII lowercase letter"],
    ["2http", "must begin with an ASCII lowercase letter"],
    ["a--b", "may not be empty"],
    ["a-", "may not be empty"],
    ["-a", "may not be empty"],
    ["wasI", "only lowercase alphanumeric"],
    ["a_b", "only lowercase alphanumeric"],
    ["..", "must begin with an ASCII lowercase letter"],
    ["caf\u00e9", "only lowercase alphanumeric"],
  ])("rejects %j", (label, reason) => {
    expect(labelProblem(label)).toContain(reason);
  });
});

describe("PackageRef.parse", () => {
  it("parses namespace and name", () => {
    const ref = PackageRef.parse("wasi:http");
    expect(ref.namespace).toBe("wasi");
    expect(ref.name).toBe("http");
    expect(String(ref)).toBe("wasi:http");
  });

  it.each([
    ["Foo:bar", /invalid package ref "Foo:bar".*namespace "Foo".*lowercase letter/],
    ["a:b:c", /invalid package ref "a:b:c".*package name "b:c"/],
    ["", /missing expected ':'/],
    ["wasi", /missing expected ':'/],
    ["..:..", /invalid package ref/],
    [":http", /labels may not be empty/],
    ["wasi:", /labels may not be empty/],
    ["../x:y", /invalid package ref/],
  ])("rejects %j with a clear message", (text, message) => {
    let caught: unknown;
    try {
      PackageRef.parse(text);
    } catch (error) {
      caught = error;
    }
    expect(isWkgError(caught, "INVALID_PACKAGE_REF")).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as { hint?: string }).hint).toContain("namespace:name");
  });

  it("orders by namespace then name", () => {
    const refs = ["wasi:io", "ba:x", "wasi:cli", "wasi:http"].map((s) => PackageRef.parse(s));
    expect(refs.sort(PackageRef.compare).map(String)).toEqual(["ba:x", "wasi:cli", "wasi:http", "wasi:io"]);
  });
});

describe("PackageSpec.parse", () => {
  it("takes an exact version", () => {
    const spec = PackageSpec.parse("wasi:http@0.2.0");
    expect(spec.version?.toString()).toBe("0.2.0");
    expect(spec.requirement).toBeUndefined();
  });

  it("takes a requirement", () => {
    const spec = PackageSpec.parse("wasi:http@^0.2");
    expect(spec.version).toBeUndefined();
    expect(spec.requirement?.toString()).toBe("^0.2");
  });

  it("takes no version", () => {
    expect(PackageSpec.parse("wasi:http").toString()).toBe("wasi:http");
  });

  it("rejects an empty version and garbage", () => {
    expect(() => PackageSpec.parse("wasi:http@")).toThrow(/nothing after '@'/);
    expect(() => PackageSpec.parse("wasi:http@banana")).toThrow(/invalid version requirement/);
  });
});
