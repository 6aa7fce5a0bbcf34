import { describe, expect, it } from "vitest";
import { Version, VersionReq, filterMatching, isWkgError, pickHighest, sortByVersion } from "../src/index.js";

const v = (s: string) => Version.parse(s);
const infos = (...list: string[]) => list.map((s) => ({ version: v(s), yanked: false }));

describe("Version.parse", () => {
  it.each(["0.2.0", "1.0.0-rc.1", "1.0.0+build.5", "10.20.30-alpha.1+meta"])("accepts %s", (s) => {
    expect(v(s).toString()).toBe(s);
  });

  it.each(["v1.0.0", "1.0", "01.0.0", "1.0.0-", "latest", "sha256-abc", "1.0.0.0", " 1.0.0", "=1.0.0"])("rejects %j", (s) => {
    expect(() => v(s)).toThrow(/invalid version/);
    expect(Version.tryParse(s)).toBeUndefined();
  });

  it("orders prereleases before releases and breaks ties on build metadata", () => {
    const sorted = sortByVersion([v("1.0.0"), v("1.0.0-rc.1"), v("0.9.0"), v("1.0.0+b"), v("1.0.0-alpha")], (x) => x);
    expect(sorted.map(String)).toEqual(["0.9.0", "1.0.0-alpha", "1.0.0-rc.1", "1.0.0", "1.0.0+b"]);
  });
});

describe("VersionReq", () => {
  it.each([
    ["=0.2.0", "=0.2.0"],
    ["1.2.3", "^1.2.3"],
    ["*", "*"],
    [">= 1.0.0 ,< 2.0.0", ">=1.0.0, <2.0.0"],
    ["~1.2", "~1.2"],
    ["1.*", "1.*"],
  ])("normalises %j to %j", (input, display) => {
    expect(VersionReq.parse(input).toString()).toBe(display);
  });

  it.each(["", "banana", "1.0.0 || 2.0.0", ">=", "^v1"])("rejects %j", (input) => {
    let caught: unknown;
    try {
      VersionReq.parse(input);
    } catch (error) {
      caught = error;
    }
    expect(isWkgError(caught, "INVALID_VERSION_REQ")).toBe(true);
  });

  it("matches like the Rust semver crate", () => {
    expect(VersionReq.parse("1.2.3").matches(v("1.9.0"))).toBe(true);
    expect(VersionReq.parse("1.2.3").matches(v("2.0.0"))).toBe(false);
    expect(VersionReq.parse("0.2.0").matches(v("0.2.5"))).toBe(true);
    expect(VersionReq.parse("0.2.0").matches(v("0.3.0"))).toBe(false);
    expect(VersionReq.parse("=0.2.0").matches(v("0.2.1"))).toBe(false);
  });

  it("never lets * match a prerelease unless asked", () => {
    expect(VersionReq.STAR.matches(v("1.0.0-rc1"))).toBe(false);
    expect(VersionReq.STAR.matches(v("1.0.0-rc1"), { includePrerelease: true })).toBe(true);
  });

  it("matches a prerelease named with the same major.minor.patch", () => {
    expect(VersionReq.parse("=0.2.0-draft").matches(v("0.2.0-draft"))).toBe(true);
    expect(VersionReq.parse(">=0.2.0-rc.1").matches(v("0.2.0-rc.2"))).toBe(true);
    expect(VersionReq.parse(">=0.2.0-rc.1").matches(v("0.3.0-rc.1"))).toBe(false);
  });

  it("builds exact requirements", () => {
    expect(VersionReq.exact(v("0.2.0")).toString()).toBe("=0.2.0");
    expect(VersionReq.exact(v("0.2.0")).isExact).toBe(true);
    expect(VersionReq.parse("^0.2").isExact).toBe(false);
  });
});

describe("version filters", () => {
  const all = [...infos("0.1.0", "0.2.0", "0.2.1", "0.3.0-rc.1"), { version: v("0.2.2"), yanked: true }];

  it("filters and sorts matching versions, skipping yanked ones", () => {
    expect(filterMatching(all, VersionReq.parse("^0.2"), { order: "descending" }).map((i) => String(i.version))).toEqual([
      "0.2.1",
      "0.2.0",
    ]);
  });

  it("picks the highest release, prereleases only when asked", () => {
    expect(String(pickHighest(all)?.version)).toBe("0.2.1");
    expect(String(pickHighest(all, undefined, { includePrerelease: true })?.version)).toBe("0.3.0-rc.1");
    expect(pickHighest(all, VersionReq.parse(">=1.0.0"))).toBeUndefined();
  });
});
