import { cp, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { runWkg } from "./helpers.js";

afterAll(cleanupTempDirs);

const EXAMPLE_IO = fileURLToPath(new URL("../../../examples/registry/wasi/io/0.2.0.wasm", import.meta.url));

async function files(root: string, tree: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(tree)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** A user config file, a project with a wkg.toml, and a directory outside the project. */
async function setup(user: string, project: string) {
  const home = await tempDir();
  const userFile = join(home, "xdg", "wasm-pkg", "config.toml");
  await files(home, { "xdg/wasm-pkg/config.toml": user });
  const root = await tempDir();
  await files(root, { "wkg.toml": project, "wit/world.wit": "package my:app;\n" });
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, "xdg"), WKG_CACHE_DIR: join(home, "cache") };
  return { env, userFile, root, projectFile: join(root, "wkg.toml"), home };
}

describe("wkg config --show inside a project", () => {
  it("shows each value's origin, in precedence order: flag, environment, wkg.toml, config.toml, built-in", async () => {
    const { env, userFile, root, projectFile } = await setup(
      'default_registry = "user-default.example"\n[namespace_registries]\nacme = "user-acme.example"\nmine = "mine.example"\n',
      '[metadata]\nauthors = "me"\n\n[namespace_registries]\nacme = "project-acme.example"\n\n[registry."project-acme.example"]\ndefault = "oci"\n',
    );
    await mkdir(join(root, "wit", "nested"), { recursive: true });
    const result = await runWkg(["config", "--show", "--registry", "flag.example"], {
      env: { ...env, WKG_REGISTRY: "env.example" },
      cwd: join(root, "wit", "nested"),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(
      `# effective configuration; first wins: --registry, then environment WKG_REGISTRY, then ${projectFile} (project), then ${userFile} (user config), then built-in`,
    );
    const row = (text: string) => lines.find((l) => l.startsWith(`${text} `) || l === text);
    expect(row("--registry flag.example")).toMatch(/# --registry: get and publish send every package there$/);
    expect(row("WKG_REGISTRY=env.example")).toMatch(/# environment WKG_REGISTRY \(overridden by --registry\)$/);
    expect(row('acme = "project-acme.example"')).toMatch(new RegExp(`# ${projectFile} \\(over ${userFile}\\)$`));
    expect(row('mine = "mine.example"')).toMatch(new RegExp(`# ${userFile}$`));
    expect(row('default_registry = "user-default.example"')).toMatch(new RegExp(`# ${userFile}$`));
    expect(row('default = "oci"')).toMatch(new RegExp(`# ${projectFile}$`));
    expect(row('wasi = "wasi.dev"')).toMatch(/# built-in fallback/);
    // The rows come in the header's order: overrides first, then the tables.
    expect(lines.findIndex((l) => l.startsWith("--registry"))).toBeLessThan(lines.findIndex((l) => l.startsWith("WKG_REGISTRY")));

    const json = JSON.parse(
      (await runWkg(["config", "--show", "--json"], { env: { ...env, WKG_REGISTRY: "env.example" }, cwd: root })).stdout,
    );
    expect(json.precedence).toEqual([
      { kind: "env", name: "WKG_REGISTRY" },
      { kind: "project", path: projectFile },
      { kind: "file", path: userFile },
      { kind: "built-in" },
    ]);
    expect(json.sources["namespace_registries.acme"]).toEqual({ kind: "project", path: projectFile });
    expect(json.shadowed["namespace_registries.acme"]).toEqual([{ kind: "file", path: userFile }]);
    expect(json.overrides).toEqual([{ kind: "env", name: "WKG_REGISTRY", registry: "env.example" }]);
  });

  it("says when the project's default registry outranks the one just set", async () => {
    const { env, root, projectFile, userFile } = await setup("", 'default_registry = "project.example"\n');
    const result = await runWkg(["config", "--default-registry", "user.example"], { env, cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Default registry: project.example (from ${projectFile}, which takes precedence over ${userFile})\n`);
  });

  it("shows no project layer outside the project", async () => {
    const { env, home } = await setup('default_registry = "user.example"\n', '[namespace_registries]\nacme = "p.example"\n');
    const result = await runWkg(["config", "--show"], { env, cwd: home });
    expect(result.stdout).not.toContain("(project)");
    expect(result.stdout).not.toContain("acme");
  });
});

describe("which registry wins", () => {
  /**
   * Four local registries holding the same package; `wkg get --json` says which one served it.
   * The user's config defines them all and maps wasi to its own; the project maps wasi to one
   * vendored beside its wkg.toml.
   */
  async function registries() {
    const ctx = await setup(
      [
        '[namespace_registries]\nwasi = "user-reg"\n',
        ...["user-reg", "env-reg", "flag-reg"].map((r) => `[registry."${r}".local]\nroot = "${r}"\n`),
      ].join("\n"),
      '[namespace_registries]\nwasi = "project-reg"\n\n[registry."project-reg".local]\nroot = "vendor/registry"\n',
    );
    const roots = ["user-reg", "env-reg", "flag-reg"].map((r) => join(ctx.home, "xdg", "wasm-pkg", r));
    for (const root of [...roots, join(ctx.root, "vendor", "registry")]) {
      await mkdir(join(root, "wasi", "io"), { recursive: true });
      await cp(EXAMPLE_IO, join(root, "wasi", "io", "0.2.0.wasm"));
    }
    const get = async (extra: string[], env: Record<string, string>, cwd: string) => {
      const result = await runWkg(["get", "wasi:io@0.2.0", "-o", `${await tempDir()}/`, "--json", ...extra], { env, cwd });
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout).registry as string;
    };
    return { ...ctx, get };
  }

  it("wkg.toml beats config.toml; WKG_REGISTRY beats wkg.toml; --registry beats WKG_REGISTRY", async () => {
    const { env, root, home, get } = await registries();
    expect(await get([], env, home)).toBe("user-reg");
    expect(await get([], env, root)).toBe("project-reg");
    expect(await get([], { ...env, WKG_REGISTRY: "env-reg" }, root)).toBe("env-reg");
    expect(await get(["--registry", "flag-reg"], { ...env, WKG_REGISTRY: "env-reg" }, root)).toBe("flag-reg");
  });

  it("a project's mapping beats an explicit --config / WKG_CONFIG_FILE file too", async () => {
    const { env, root, userFile, get } = await registries();
    const explicit = { HOME: env.HOME, WKG_CACHE_DIR: env.WKG_CACHE_DIR, WKG_CONFIG_FILE: userFile };
    expect(await get([], explicit, root)).toBe("project-reg");
    expect(await get(["--config", userFile], { HOME: env.HOME, WKG_CACHE_DIR: env.WKG_CACHE_DIR }, root)).toBe("project-reg");
  });
});

describe("registries in a workspace", () => {
  it("come from the workspace root's wkg.toml, and a member naming its own is an error", async () => {
    const { env, root } = await setup("", '[workspace]\nmembers = ["a", "b"]\n\n[namespace_registries]\nacme = "root.example"\n');
    await files(root, { "a/wkg.toml": '[metadata]\nauthors = "a"\n', "a/x.wit": "package my:a;\n" });
    await files(root, { "b/wkg.toml": '[overrides]\n"my:a" = { path = "../a" }\n\n[namespace_registries]\nacme = "b.example"\n' });
    const fromA = await runWkg(["config", "--show"], { env, cwd: join(root, "a") });
    expect(fromA.stdout).toMatch(new RegExp(`acme = "root\\.example"\\s+# ${join(root, "wkg.toml")}`));
    const fromB = await runWkg(["config", "--show"], { env, cwd: join(root, "b") });
    expect(fromB.code).toBe(1);
    expect(fromB.stderr).toContain(
      `invalid config: ${join(root, "b", "wkg.toml")}:4: namespace_registries: a workspace member cannot name registries of its own`,
    );
    expect(fromB.stderr).toContain(`move it to the workspace root's ${join(root, "wkg.toml")}`);
  });
});
