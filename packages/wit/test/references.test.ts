import { describe, expect, it } from "vitest";
import { witReferences } from "../src/index.js";

describe("witReferences", () => {
  it("finds every use, import, export and include of another package, with file and line, nested packages included", () => {
    const world = [
      "package my:app@1.0.0;", // 1
      "", // 2
      "world app {", // 3
      "  export a:b/run@0.1.0;", // 4
      "  import a:b/run@0.1.0;", // 5
      "  include c:d/base;", // 6
      "  use local-types.{t};", // 7
      "}", // 8
      "package my:inner {", // 9
      "  interface x { use a:b/types@0.1.0.{t}; }", // 10
      "}", // 11
    ].join("\n");
    const types = "interface local-types {\n  use e:f/clock.{instant};\n  type t = instant;\n}\n";
    const refs = witReferences([
      { path: "wit/world.wit", contents: world },
      { path: "wit/types.wit", contents: types },
    ]);
    expect(refs.map((r) => `${r.from} -> ${r.to.name}@${r.to.version ?? "*"}/${r.item} ${r.file}:${r.line}:${r.column}`)).toEqual([
      "my:app@1.0.0 -> e:f@*/clock wit/types.wit:2:7",
      "my:app@1.0.0 -> a:b@0.1.0/run wit/world.wit:4:10",
      "my:app@1.0.0 -> a:b@0.1.0/run wit/world.wit:5:10",
      "my:app@1.0.0 -> c:d@*/base wit/world.wit:6:11",
      "my:inner -> a:b@0.1.0/types wit/world.wit:10:21",
    ]);
    expect(refs[1]?.text).toBe("export a:b/run@0.1.0;");
  });

  it("is an error naming the file and line for WIT it cannot parse", () => {
    expect(() => witReferences([{ path: "bad.wit", contents: "package a:b;\ninterface {" }])).toThrow(/bad\.wit:2/);
  });
});
