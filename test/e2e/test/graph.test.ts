import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestRegistry, cleanupTempDirs, startRegistry } from "@wasm-pkg/test-utils";
import { EXAMPLES, type Env, encodeText, home, localRegistryHome, readText, tree } from "./project.js";

const WASI = ["io", "clocks", "cli", "http"];
const helloProject = async () => tree({ "wit/world.wit": await readText(join(EXAMPLES, "hello", "wit", "world.wit")) });

/** The shape of `wkg tree --json` nodes, as far as these tests look. */
interface JsonTree {
  id: string;
  source: string;
  registry?: string;
  seen?: boolean;
  truncated?: boolean;
  dependencies: JsonTree[];
}

describe("wkg list, tree, why and outdated against the real OCI registry", () => {
  let registry: TestRegistry;
  let user: Env;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "open" });
    const mapping = `{ registry = "${registry.registry}", metadata = { preferredProtocol = "oci", oci = { registry = "${registry.registry}" } } }`;
    user = await home(`[namespace_registries]\nwasi = ${mapping}\n`);
    for (const name of WASI) {
      const published = await user.run(["publish", join(EXAMPLES, "registry", "wasi", name, "0.2.0.wasm")]);
      expect(published.code, published.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await registry?.stop();
    await cleanupTempDirs();
  });

  it("tree shows the locked graph once per package, with (*) for a repeat, and honours --depth", async () => {
    const project = await helloProject();
    expect((await user.run(["fetch"], project)).code).toBe(0);
    const text = await user.run(["tree"], project);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("example:hello@0.1.0");
    expect(lines).toContain(`├── wasi:cli@0.2.0 (${registry.registry})`);
    expect(lines).toContain(`└── wasi:http@0.2.0 (${registry.registry})`);
    // wasi:cli's dependencies were shown under the root; under wasi:http it is a reference.
    expect(lines).toContain(`    ├── wasi:cli@0.2.0 (${registry.registry}) (*)`);
    expect(lines.filter((l) => l.includes("wasi:clocks@0.2.0"))).toHaveLength(1);

    const json = await user.run(["tree", "--json", "--depth", "1"], project);
    const root = JSON.parse(json.stdout).projects[0].tree[0] as JsonTree;
    expect(root.id).toBe("example:hello@0.1.0");
    expect(root.dependencies.map((d) => [d.id, d.source, d.registry, d.truncated, d.dependencies.length])).toEqual([
      ["wasi:cli@0.2.0", "registry", registry.registry, true, 0],
      ["wasi:http@0.2.0", "registry", registry.registry, true, 0],
    ]);

    const sub = await user.run(["tree", "wasi:http", "--json"], project);
    const top = JSON.parse(sub.stdout).projects[0].tree[0] as JsonTree;
    expect(top.id).toBe("wasi:http@0.2.0");
    expect(top.dependencies.map((d) => d.id)).toEqual(["wasi:cli@0.2.0", "wasi:clocks@0.2.0", "wasi:io@0.2.0"]);

    const bad = await user.run(["tree", "--depth", "two"], project);
    expect(bad.code).toBe(2);
  });

  it("why lists every path to a package and the lines that bring it in", async () => {
    const project = await helloProject();
    expect((await user.run(["fetch"], project)).code).toBe(0);
    const result = await user.run(["why", "wasi:cli", "--json"], project);
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout).projects[0];
    expect(answer.paths).toEqual([
      ["example:hello@0.1.0", "wasi:cli@0.2.0"],
      ["example:hello@0.1.0", "wasi:http@0.2.0", "wasi:cli@0.2.0"],
    ]);
    const direct = answer.edges.find((e: { from: string; to: string }) => e.from === "example:hello@0.1.0" && e.to === "wasi:cli@0.2.0");
    expect(direct.references.map((r: { file: string; line: number; text: string }) => `${r.file}:${r.line} ${r.text}`)).toEqual([
      "wit/world.wit:6 import wasi:cli/stdout@0.2.0;",
    ]);
    // wasi:http's own references point at the copy `wkg fetch` wrote, which is there.
    const viaHttp = answer.edges.find((e: { from: string }) => e.from === "wasi:http@0.2.0");
    expect(viaHttp.references.length).toBeGreaterThan(0);
    for (const ref of viaHttp.references) {
      expect(ref.file).toBe("wit/deps/wasi-http-0.2.0/package.wit");
      expect(ref.onDisk).toBe(true);
      const line = (await readText(join(project, ref.file))).split("\n")[ref.line - 1];
      expect(line?.trim()).toBe(ref.text);
      expect(ref.text).toContain("wasi:cli/");
    }

    const text = await user.run(["why", "wasi:cli"], project);
    expect(text.stdout).toContain("2 paths from example:hello@0.1.0:");
    expect(text.stdout).toContain("wit/world.wit:6  import wasi:cli/stdout@0.2.0;");

    const missing = await user.run(["why", "wasi:nope"], project);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("wasi:nope is not a dependency of example:hello@0.1.0");
  });

  it("tree and why work offline: from the cache, else from wit/deps with a warning, else they say to fetch", async () => {
    const project = await helloProject();
    expect((await user.run(["fetch"], project)).code).toBe(0);
    const cold = { ...user.env, WKG_CACHE_DIR: join(user.dir, "empty-cache") };
    const { wkg } = await import("./run.js");
    const fromDeps = await wkg(["tree"], cold, project);
    expect(fromDeps.code, fromDeps.stderr).toBe(0);
    expect(fromDeps.stderr).toContain(`reading ${join(project, "wit", "deps")} instead`);
    expect(fromDeps.stdout).toBe((await user.run(["tree"], project)).stdout);

    await rm(join(project, "wit", "deps"), { recursive: true });
    const nothing = await wkg(["tree"], cold, project);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("run `wkg fetch`");
  });

  it("list shows versions newest first with pre-releases marked; outdated finds a newer release and --exit-code fails", async () => {
    const project = await helloProject();
    expect((await user.run(["fetch"], project)).code).toBe(0);
    const upToDate = await user.run(["outdated", "--exit-code"], project);
    expect(upToDate.code, upToDate.stderr).toBe(0);

    const dir = await tree({});
    for (const version of ["0.2.1", "0.3.0-rc.1"]) {
      const file = join(dir, `http-${version}.wasm`);
      await writeFile(file, encodeText(`package wasi:http@${version};\ninterface types { type t = u32; }\n`));
      const published = await user.run(["publish", file, "--skip-semver-check"]);
      expect(published.code, published.stderr).toBe(0);
    }
    const list = await user.run(["list", "wasi:http"], project);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toBe("0.3.0-rc.1 (pre-release)\n0.2.1\n0.2.0\n");
    const listJson = JSON.parse((await user.run(["list", "wasi:http", "--json"], project)).stdout);
    expect(listJson.registry).toBe(registry.registry);
    expect(listJson.versions[0]).toEqual({ version: "0.3.0-rc.1", yanked: false, prerelease: true });

    const report = await user.run(["outdated", "--json"], project);
    expect(report.code).toBe(0);
    const rows = JSON.parse(report.stdout).packages;
    expect(rows).toEqual([
      expect.objectContaining({ name: "wasi:cli", locked: "0.2.0", wanted: "0.2.0", latest: "0.2.0", behind: false }),
      expect.objectContaining({
        name: "wasi:http",
        requirement: "=0.2.0",
        locked: "0.2.0",
        wanted: "0.2.0",
        latest: "0.2.1",
        behind: true,
      }),
    ]);
    const ci = await user.run(["outdated", "--exit-code"], project);
    expect(ci.code).toBe(1);
    expect(ci.stdout).toMatch(/^wasi:http\s+=0\.2\.0\s+0\.2\.0\s+0\.2\.0\s+0\.2\.1\s/m);
  });
});

describe("the graph commands against the local registry (examples/registry)", () => {
  afterAll(cleanupTempDirs);

  it("tree, why, list and outdated on the hello example", async () => {
    const user = await localRegistryHome();
    const project = await helloProject();
    await writeFile(join(project, "wkg.toml"), await readText(join(EXAMPLES, "hello", "wkg.toml")));
    expect((await user.run(["fetch"], project)).code).toBe(0);
    const shown = await user.run(["tree"], project);
    expect(shown.stdout.split("\n").slice(0, 3)).toEqual([
      "example:hello@0.1.0",
      "├── wasi:cli@0.2.0 (files)",
      "│   └── wasi:io@0.2.0 (embedded)",
    ]);
    const why = await user.run(["why", "wasi:clocks"], project);
    expect(why.stdout).toContain("example:hello@0.1.0 → wasi:http@0.2.0 → wasi:clocks@0.2.0");
    expect((await user.run(["list", "wasi:io"], project)).stdout).toBe("0.2.0\n");
    const outdated = await user.run(["outdated", "--exit-code"], project);
    expect(outdated.code, outdated.stderr).toBe(0);
    expect(outdated.stdout).toContain("wasi:http");
  });

  it("in a workspace, a member another imports is a local package, and why points at the member's own file", async () => {
    const user = await localRegistryHome();
    const root = await tree({
      "wkg.toml": '[workspace]\nmembers = ["a/wit", "b/wit"]\n',
      "a/wit/a.wit": "package my:a@1.0.0;\nworld w {\n  import my:b/api@1.0.0;\n}\n",
      "b/wit/b.wit": "package my:b@1.0.0;\ninterface api {\n  use wasi:io/streams@0.2.0.{input-stream};\n}\n",
    });
    expect((await user.run(["fetch"], root)).code).toBe(0);
    const shown = await user.run(["tree"], root);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(
      ["my:a@1.0.0", "└── my:b@1.0.0 (b/wit)", "    └── wasi:io@0.2.0 (files)", "", "my:b@1.0.0", "└── wasi:io@0.2.0 (files)", ""].join(
        "\n",
      ),
    );
    const why = await user.run(["why", "wasi:io"], root);
    expect(why.stdout).toContain("b/wit/b.wit:3  use wasi:io/streams@0.2.0.{input-stream};");
    expect(why.stdout).toContain("a/wit/a.wit:3  import my:b/api@1.0.0;");
    // my:b is a dependency of my:a, and the root of its own member: only the first is an answer.
    const whyB = JSON.parse((await user.run(["why", "my:b", "--json"], root)).stdout);
    expect(whyB.projects.map((p: { root: string }) => p.root)).toEqual(["my:a@1.0.0"]);
  });
});
