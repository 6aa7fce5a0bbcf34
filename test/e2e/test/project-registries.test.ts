import { cp, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestRegistry, cleanupTempDirs, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { parseLock } from "@wasm-pkg/lockfile";
import { EXAMPLES, filesUnder, readText, tree } from "./project.js";
import { wkg } from "./run.js";

const WASI = ["io", "clocks", "cli", "http"];
const helloWorld = () => readText(join(EXAMPLES, "hello", "wit", "world.wit"));

/** A user with no config file at all: only the built-ins, and a cache of their own. */
async function emptyUser() {
  const dir = await tempDir();
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, "xdg"), WKG_CACHE_DIR: join(dir, "cache") };
  return { env, run: (argv: string[], cwd: string) => wkg(argv, env, cwd) };
}

const lockedRegistries = async (project: string) =>
  parseLock(await readText(join(project, "wkg.lock"))).packages.map((p) => `${p.name} ${p.registry}`);

afterAll(cleanupTempDirs);

describe("a project that names its registries in wkg.toml builds with an empty user config", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "open" });
    const publisher = await emptyUser();
    for (const name of WASI) {
      const file = join(EXAMPLES, "registry", "wasi", name, "0.2.0.wasm");
      const published = await publisher.run(["publish", file, "--registry", registry.registry], await tempDir());
      expect(published.stderr).toContain(`Published wasi:${name}@0.2.0`);
    }
  });
  afterAll(() => registry?.stop());

  it("fetches and builds from the real OCI registry its wkg.toml maps wasi to", async () => {
    const user = await emptyUser();
    const project = await tree({
      "wit/world.wit": await helloWorld(),
      "wkg.toml": `[metadata]\nauthors = "me"\n\n[namespace_registries]\nwasi = "${registry.registry}"\n\n[registry."${registry.registry}"]\ndefault = "oci"\n`,
    });
    // Without the project's mapping, wasi:* goes to the built-in wasi.dev, which is unreachable here.
    const fetched = await user.run(["fetch"], project);
    expect(fetched.stderr).toContain("Added wit/deps/wasi-http-0.2.0");
    expect(fetched.code).toBe(0);
    expect(await lockedRegistries(project)).toEqual([`wasi:cli ${registry.registry}`, `wasi:http ${registry.registry}`]);
    expect(await filesUnder(join(project, "wit", "deps"))).toHaveLength(5);

    const built = await user.run(["build", "-o", "hello.wasm"], project);
    expect(built.code).toBe(0);
    expect(built.stderr).toContain("WIT package written to");
    expect((await user.run(["fetch", "--locked"], project)).code).toBe(0);
  });

  it("fetches from a registry vendored in the project, its root relative to wkg.toml (not the cwd)", async () => {
    const user = await emptyUser();
    const project = await tree({
      "wit/world.wit": await helloWorld(),
      "wkg.toml": '[namespace_registries]\nwasi = "vendored"\n\n[registry."vendored".local]\nroot = "third_party/registry"\n',
    });
    await mkdir(join(project, "third_party", "registry"), { recursive: true });
    await cp(join(EXAMPLES, "registry", "wasi"), join(project, "third_party", "registry", "wasi"), { recursive: true });
    // Run from a subdirectory, with a cold cache: the nearest wkg.toml above is found, and its
    // relative root resolves against it rather than the cwd.
    await mkdir(join(project, "src"));
    const fetched = await user.run(["fetch", "../wit"], join(project, "src"));
    expect(fetched.code).toBe(0);
    expect(await lockedRegistries(project)).toEqual(["wasi:cli vendored", "wasi:http vendored"]);
    expect((await user.run(["build", "-o", "out.wasm"], project)).code).toBe(0);
  });

  it("in a workspace, takes the root's registries, from the root and from inside a member", async () => {
    const user = await emptyUser();
    const root = await tree({
      "wkg.toml":
        '[workspace]\nmembers = ["pkg-*/wit"]\n\n[namespace_registries]\nwasi = "vendored"\n\n[registry."vendored".local]\nroot = "registry"\n',
      "pkg-a/wit/a.wit":
        "package ws:a@0.1.0;\n\ninterface a {\n  use wasi:io/streams@0.2.0.{input-stream};\n  get: func() -> input-stream;\n}\n",
      "pkg-b/wit/b.wit": "package ws:b@0.1.0;\n\nworld b {\n  import ws:a/a@0.1.0;\n  import wasi:clocks/wall-clock@0.2.0;\n}\n",
    });
    await cp(join(EXAMPLES, "registry", "wasi"), join(root, "registry", "wasi"), { recursive: true });
    const fromRoot = await user.run(["fetch"], root);
    expect(fromRoot.code).toBe(0);
    expect(await lockedRegistries(root)).toEqual(["wasi:clocks vendored", "wasi:io vendored"]);
    const fromMember = await user.run(["update", "--workspace"], join(root, "pkg-b", "wit"));
    expect(fromMember.code).toBe(0);
    expect(await lockedRegistries(root)).toEqual(["wasi:clocks vendored", "wasi:io vendored"]);
  });

  it("stops at a credential in wkg.toml, naming file, line and what to do", async () => {
    const user = await emptyUser();
    const project = await tree({
      "wit/world.wit": await helloWorld(),
      "wkg.toml": `[namespace_registries]\nwasi = "${registry.registry}"\n\n[registry."${registry.registry}".oci]\nauth = { username = "u", password = "hunter2-secret" }\n`,
    });
    const result = await user.run(["fetch"], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `invalid config: ${join(project, "wkg.toml")}:5: registry."${registry.registry}".oci.auth: credentials are never read from wkg.toml`,
    );
    expect(result.stderr).toContain("wkg config --edit");
    expect(result.stderr).not.toContain("hunter2-secret");
    expect(await filesUnder(project)).toEqual(["wit/world.wit", "wkg.toml"]);
  });
});
