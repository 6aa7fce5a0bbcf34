import { describe, expect, it } from "vitest";
import { Digest, PackageRef, Version, VersionReq } from "@wasm-pkg/common";
import type { LockEntry } from "@wasm-pkg/lockfile";
import { printPackage, resolveWitSource } from "@wasm-pkg/wit";
import { buildGraph } from "../src/graph.js";
import { dependencyTree } from "../src/graph-tree.js";
import { whyDepends } from "../src/graph-why.js";
import { outdatedRows } from "../src/outdated.js";

const enc = (s: string) => new TextEncoder().encode(s);
const digest = Digest.parse(`sha256:${"ab".repeat(32)}`);
const entry = (name: string, version: string, requirement = `=${version}`): LockEntry => ({
  name: PackageRef.parse(name),
  registry: "reg.example",
  requirement: VersionReq.parse(requirement),
  version: Version.parse(version),
  digest,
});

/** my:app imports a:b and c:d; c:d uses a:b; a:b uses e:f (a diamond with a tail). */
function diamond(depsOnDisk: (files: Map<string, string>, print: (name: string) => string) => void = () => {}) {
  const rootFiles = [
    { path: "/p/wit/world.wit", contents: "package my:app@1.0.0;\nworld app {\n  import a:b/i@1.0.0;\n  import c:d/j@2.0.0;\n}\n" },
  ];
  const deps = [
    { kind: "file" as const, path: "e-f.wit", bytes: enc("package e:f@1.0.0;\ninterface k { type t = u8; }\n") },
    { kind: "file" as const, path: "a-b.wit", bytes: enc("package a:b@1.0.0;\ninterface i { use e:f/k@1.0.0.{t}; }\n") },
    { kind: "file" as const, path: "c-d.wit", bytes: enc("package c:d@2.0.0;\ninterface j {\n  use a:b/i@1.0.0.{t};\n}\n") },
  ];
  const { resolve, package: root } = resolveWitSource({ path: "/p/wit", files: rootFiles, deps });
  const depsFiles = new Map<string, string>();
  const byName = (name: string) =>
    resolve.topologicalPackages().find((id) => `${resolve.pkg(id).name.namespace}:${resolve.pkg(id).name.name}` === name);
  depsOnDisk(depsFiles, (name) => printPackage(resolve, byName(name) as never));
  return buildGraph({
    resolve,
    root,
    rootFiles,
    locals: [],
    locked: [entry("a:b", "1.0.0"), entry("c:d", "2.0.0")],
    depsDir: "/p/wit/deps",
    depsFiles,
  });
}

describe("buildGraph", () => {
  it("records every package, where it comes from, and the edges with their lines", () => {
    const graph = diamond();
    expect(graph.root).toBe("my:app@1.0.0");
    expect(graph.nodes.map((n) => `${n.id} ${n.source} ${n.registry ?? ""}`.trim())).toEqual([
      "e:f@1.0.0 embedded",
      "a:b@1.0.0 registry reg.example",
      "c:d@2.0.0 registry reg.example",
      "my:app@1.0.0 root",
    ]);
    expect(graph.edges.map((e) => `${e.from} -> ${e.to}`).sort()).toEqual([
      "a:b@1.0.0 -> e:f@1.0.0",
      "c:d@2.0.0 -> a:b@1.0.0",
      "my:app@1.0.0 -> a:b@1.0.0",
      "my:app@1.0.0 -> c:d@2.0.0",
    ]);
    const fromRoot = graph.edges.find((e) => e.to === "c:d@2.0.0");
    expect(fromRoot?.references).toEqual([
      expect.objectContaining({ file: "/p/wit/world.wit", line: 4, text: "import c:d/j@2.0.0;", onDisk: true }),
    ]);
    // Registry packages are read as printed: the copy `wkg fetch` writes, absent here.
    const printed = graph.edges.find((e) => e.from === "c:d@2.0.0")?.references[0];
    expect(printed).toMatchObject({ file: "/p/wit/deps/c-d-2.0.0/package.wit", onDisk: false });
  });

  it("marks a printed package's lines on disk only when wit/deps holds exactly that text", () => {
    const graph = diamond((files, print) => {
      files.set("/p/wit/deps/c-d-2.0.0/package.wit", print("c:d"));
      files.set("/p/wit/deps/a-b-1.0.0/package.wit", `${print("a:b")}// edited\n`);
    });
    expect(graph.edges.find((e) => e.from === "c:d@2.0.0")?.references[0]?.onDisk).toBe(true);
    expect(graph.edges.find((e) => e.from === "a:b@1.0.0")?.references[0]?.onDisk).toBe(false);
  });
});

describe("dependencyTree", () => {
  const label = (n: { node: { id: string }; seen?: true; truncated?: true; dependencies: unknown[] }): unknown => [
    `${n.node.id}${n.seen ? " (*)" : ""}${n.truncated ? " ..." : ""}`,
    ...(n.dependencies as (typeof n)[]).map(label),
  ];

  it("shows a package's dependencies once; later it is marked seen", () => {
    const [tree] = dependencyTree(diamond());
    expect(label(tree as never)).toEqual(["my:app@1.0.0", ["a:b@1.0.0", ["e:f@1.0.0"]], ["c:d@2.0.0", ["a:b@1.0.0 (*)"]]]);
  });

  it("stops at --depth, and starts from a named dependency", () => {
    expect(label(dependencyTree(diamond(), { depth: 1 })[0] as never)).toEqual(["my:app@1.0.0", ["a:b@1.0.0 ..."], ["c:d@2.0.0 ..."]]);
    expect(label(dependencyTree(diamond(), { depth: 0 })[0] as never)).toEqual(["my:app@1.0.0 ..."]);
    expect(label(dependencyTree(diamond(), { start: "c:d" })[0] as never)).toEqual(["c:d@2.0.0", ["a:b@1.0.0", ["e:f@1.0.0"]]]);
    expect(() => dependencyTree(diamond(), { start: "x:y" })).toThrow(/x:y is not a dependency of my:app@1\.0\.0/);
  });
});

describe("whyDepends", () => {
  it("lists every path to the package and the edges along them, root edges first", () => {
    const why = whyDepends(diamond(), "e:f");
    expect(why.paths).toEqual([
      ["my:app@1.0.0", "a:b@1.0.0", "e:f@1.0.0"],
      ["my:app@1.0.0", "c:d@2.0.0", "a:b@1.0.0", "e:f@1.0.0"],
    ]);
    expect(why.omitted).toBe(0);
    expect(why.edges.map((e) => `${e.from} -> ${e.to}`)).toEqual([
      "my:app@1.0.0 -> a:b@1.0.0",
      "a:b@1.0.0 -> e:f@1.0.0",
      "my:app@1.0.0 -> c:d@2.0.0",
      "c:d@2.0.0 -> a:b@1.0.0",
    ]);
  });

  it("refuses the project's own package: it is not a dependency", () => {
    expect(() => whyDepends(diamond(), "my:app")).toThrow(/my:app is my:app@1\.0\.0, the project's own package/);
  });

  it("counts the paths it does not list beyond the limit", () => {
    const why = whyDepends(diamond(), "e:f@1.0.0", { limit: 1 });
    expect(why.paths).toHaveLength(1);
    expect(why.omitted).toBe(1);
  });
});

describe("outdatedRows", () => {
  const v = (version: string, yanked = false) => ({ version: Version.parse(version), yanked });

  it("gives the wanted and latest versions, ignoring yanked ones and pre-releases unless one is locked", () => {
    const rows = outdatedRows([entry("a:b", "1.0.0", "^1.0.0"), entry("c:d", "2.0.0"), entry("e:f", "3.0.0-rc.1", "=3.0.0-rc.1")], (e) =>
      e.name.toString() === "a:b"
        ? [v("1.0.0"), v("1.2.0"), v("1.3.0", true), v("2.0.0"), v("2.1.0-rc.1")]
        : e.name.toString() === "c:d"
          ? [v("2.0.0", true)]
          : [v("3.0.0-rc.1"), v("3.0.0-rc.2")],
    );
    expect(rows).toEqual([
      {
        name: "a:b",
        registry: "reg.example",
        requirement: "^1.0.0",
        locked: "1.0.0",
        wanted: "1.2.0",
        latest: "2.0.0",
        behind: true,
        missing: false,
      },
      { name: "c:d", registry: "reg.example", requirement: "=2.0.0", locked: "2.0.0", behind: false, missing: true },
      {
        name: "e:f",
        registry: "reg.example",
        requirement: "=3.0.0-rc.1",
        locked: "3.0.0-rc.1",
        wanted: "3.0.0-rc.1",
        latest: "3.0.0-rc.2",
        behind: true,
        missing: false,
      },
    ]);
  });
});
