import { describe, expect, it } from "vitest";
import { planPublish } from "../src/publish-plan.js";

const pkg = (name: string, uses: string[] = []) => ({ name, version: "1.0.0", path: `/work/${name.replace(":", "-")}`, uses });
const unversioned = (name: string) => ({ name, path: `/work/${name.replace(":", "-")}`, uses: [] });

describe("planPublish", () => {
  it("puts every package after the packages of the set it uses, in stable waves", () => {
    const steps = planPublish([
      pkg("ex:app", ["ex:b", "wasi:http"]),
      pkg("ex:b", ["ex:a", "ex:c"]),
      pkg("ex:c"),
      pkg("ex:a", ["wasi:io"]),
      pkg("ex:lone"),
    ]);
    expect(steps.map((s) => [s.name, s.wave, s.dependsOn])).toEqual([
      ["ex:a", 0, []],
      ["ex:c", 0, []],
      ["ex:lone", 0, []],
      ["ex:b", 1, ["ex:a", "ex:c"]],
      ["ex:app", 2, ["ex:b"]],
    ]);
  });

  it("ignores a package naming itself, and packages outside the set", () => {
    expect(planPublish([pkg("ex:a", ["ex:a", "other:x"])]).map((s) => s.dependsOn)).toEqual([[]]);
  });

  it("names a cycle member by member", () => {
    const cycle = () => planPublish([pkg("ex:a", ["ex:b"]), pkg("ex:b", ["ex:c"]), pkg("ex:c", ["ex:a"]), pkg("ex:d", ["ex:a"])]);
    expect(cycle).toThrow("the packages being published depend on each other in a cycle: ex:a -> ex:b -> ex:c -> ex:a");
  });

  it("refuses a package given twice, and packages without a version", () => {
    expect(() => planPublish([pkg("ex:a"), { ...pkg("ex:a"), path: "/other" }])).toThrow(
      "ex:a is in the publish set twice: /work/ex-a and /other",
    );
    expect(() => planPublish([unversioned("ex:a"), pkg("ex:b"), unversioned("ex:c")])).toThrow(
      "cannot publish packages without a version: ex:a (/work/ex-a), ex:c (/work/ex-c)",
    );
  });
});
