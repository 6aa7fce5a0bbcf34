import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PackageRef, isWkgError } from "@wasm-pkg/common";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { loadConfig, parseProjectConfig, resolveRegistry } from "../src/index.js";

afterAll(cleanupTempDirs);

const PROJECT = `[metadata]
description = "not ours: the manifest parser reads it"

[namespace_registries]
acme = "project.example"
other = { registry = "meta.example", metadata = { preferredProtocol = "oci", oci = { registry = "ghcr.io" } } }

[package_registry_overrides]
"acme:special" = "special.example"

[registry."files"]
default = "local"
[registry."files".local]
root = "vendor/registry"
`;

function caught(fn: () => unknown): Error & { code?: string; hint?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("parseProjectConfig", () => {
  it("reads config.toml's registry tables from a wkg.toml and skips the manifest's own keys", () => {
    const { config, keys } = parseProjectConfig(PROJECT, "wkg.toml");
    expect(config.namespaceRegistries.acme).toEqual({ registry: "project.example" });
    expect(config.namespaceRegistries.other?.metadata).toEqual({ preferredProtocol: "oci", oci: { registry: "ghcr.io" } });
    expect(config.packageRegistryOverrides["acme:special"]).toEqual({ registry: "special.example" });
    expect(config.registries.files).toEqual({ default: "local", backends: { local: { root: "vendor/registry" } } });
    expect(keys).toEqual([
      "namespace_registries.acme",
      "namespace_registries.other",
      'package_registry_overrides."acme:special"',
      "registry.files.default",
      "registry.files.local",
    ]);
  });

  it("validates with config.toml's rules, so errors read the same: file, line and key", () => {
    const error = caught(() =>
      parseProjectConfig('[overrides]\n"a:b" = { path = "x" }\n\n[namespace_registries]\nWasi = "wasi.dev"\n', "/p/wkg.toml"),
    );
    expect(isWkgError(error, "INVALID_CONFIG")).toBe(true);
    expect(error.message).toMatch(/^invalid config: \/p\/wkg\.toml:5: namespace_registries\.Wasi: invalid namespace/);
    expect(caught(() => parseProjectConfig('[registry."x.com"]\noci = "http"\n', "w.toml")).message).toMatch(
      /^invalid config: w\.toml:2: registry\."x\.com"\.oci: expected a \[registry/,
    );
  });

  it.each([
    ['[registry."r.example".oci]\nprotocol = "http"\nauth = "dTpw"\n', 3, 'registry."r.example".oci.auth'],
    ['[registry."r.example".oci]\nauth = { username = "u", password = "p" }\n', 2, 'registry."r.example".oci.auth'],
    ['[registry."r.example".oci.auth]\nusername = "u"\npassword = "p"\n', 1, 'registry."r.example".oci.auth'],
    ['[registry."r.example".oci]\nauth = {}\n', 2, 'registry."r.example".oci.auth'],
    ['\n[registry."w.example".warg]\nconfig_file = "warg.json"\nauth_token = "t"\n', 4, 'registry."w.example".warg.auth_token'],
    ['[registry."w.example".warg]\nsigning_key = "ecdsa-p256:AAAA"\n', 2, 'registry."w.example".warg.signing_key'],
    ['[registry."r.example".custom]\nnested = { deep = { token = "t" } }\n', 2, 'registry."r.example".custom.nested.deep.token'],
  ])("refuses credentials, naming file, line and key %#", (text, line, key) => {
    const error = caught(() => parseProjectConfig(text, "/p/wkg.toml"));
    expect(isWkgError(error, "INVALID_CONFIG")).toBe(true);
    expect(error.message).toBe(
      `invalid config: /p/wkg.toml:${line}: ${key}: credentials are never read from wkg.toml (it is shared with everyone who clones the project)`,
    );
    expect(error.hint).toContain("wkg config --edit");
  });

  it.each([
    ['[registry."r.example".oci]\nprotocol = "http"\n', 'registry."r.example".oci.protocol'],
    ['[registry."r.example".oci]\naccept_invalid_certificates = true\n', 'registry."r.example".oci.accept_invalid_certificates'],
    ['[registry."r.example".oci]\nextra_root_certificates = [{ data = "PEM" }]\n', 'registry."r.example".oci.extra_root_certificates'],
  ])("refuses OCI settings that lower transport security %#", (text, key) => {
    const error = caught(() => parseProjectConfig(text, "/p/wkg.toml"));
    expect(error.message).toBe(
      `invalid config: /p/wkg.toml:2: ${key}: a project cannot lower a registry's transport security (your credentials for it would travel unprotected)`,
    );
    expect(error.hint).toContain("set it in your own config");
  });

  it("accepts the transport settings that keep it", () => {
    const text = '[registry."r.example".oci]\nprotocol = "https"\naccept_invalid_certificates = false\n';
    expect(parseProjectConfig(text).config.registries["r.example"]?.backends.oci).toEqual({
      protocol: "https",
      accept_invalid_certificates: false,
    });
  });

  it("says where an OCI credential can go instead", () => {
    expect(caught(() => parseProjectConfig('[registry."r.example".oci]\nauth = "dTpw"\n')).hint).toContain("docker login");
  });
});

describe("loadConfig with a project", () => {
  async function setup(user: string, project: string) {
    const home = await tempDir();
    const dir = await tempDir();
    await mkdir(join(home, "wasm-pkg"));
    const userFile = join(home, "wasm-pkg", "config.toml");
    await writeFile(userFile, user);
    const projectFile = join(dir, "wkg.toml");
    await writeFile(projectFile, project);
    return { env: { XDG_CONFIG_HOME: home }, userFile, projectFile, dir };
  }

  it("layers the project over the user's config over the built-ins, and records who won over whom", async () => {
    const { env, userFile, projectFile } = await setup(
      'default_registry = "user.example"\n[namespace_registries]\nacme = "user-acme.example"\nmine = "mine.example"\nwasi = "user-wasi.example"\n',
      '[namespace_registries]\nacme = "project-acme.example"\nwasi = "project-wasi.example"\n',
    );
    const loaded = await loadConfig({ env, projectFile });
    const user = { kind: "file", path: userFile };
    const project = { kind: "project", path: projectFile };
    expect(loaded.layers).toEqual([{ kind: "built-in" }, user, project]);
    expect(loaded.config.namespaceRegistries.acme?.registry).toBe("project-acme.example");
    expect(loaded.config.namespaceRegistries.mine?.registry).toBe("mine.example");
    expect(loaded.config.defaultRegistry).toBe("user.example");
    expect(loaded.sources["namespace_registries.acme"]).toEqual(project);
    expect(loaded.sources["namespace_registries.mine"]).toEqual(user);
    expect(loaded.shadowed["namespace_registries.acme"]).toEqual([user]);
    expect(loaded.shadowed["namespace_registries.mine"]).toBeUndefined();
    // The user's config path is still the one `wkg config` edits.
    expect(loaded.path).toBe(userFile);
    const pkg = (s: string) => PackageRef.parse(s);
    expect(resolveRegistry(loaded.config, pkg("acme:x"))).toMatchObject({ registry: "project-acme.example", source: "namespace" });
    expect(resolveRegistry(loaded.config, pkg("wasi:http"))).toMatchObject({ registry: "project-wasi.example" });
    expect(resolveRegistry(loaded.config, pkg("elsewhere:x"))).toMatchObject({ registry: "user.example" });
  });

  it("applies the project over an explicit --config file too, and works without any user file", async () => {
    const { projectFile, dir } = await setup("", 'default_registry = "project.example"\n');
    const explicit = join(dir, "explicit.toml");
    await writeFile(explicit, 'default_registry = "explicit.example"\n');
    const over = await loadConfig({ configFile: explicit, env: {}, projectFile });
    expect(over.config.defaultRegistry).toBe("project.example");
    expect(over.shadowed.default_registry).toEqual([{ kind: "file", path: explicit }]);
    const alone = await loadConfig({ env: { XDG_CONFIG_HOME: await tempDir() }, projectFile });
    expect(alone.config.defaultRegistry).toBe("project.example");
    expect(alone.layers.map((l) => l.kind)).toEqual(["built-in", "project"]);
  });

  it("adds no layer for a wkg.toml without registry tables", async () => {
    const { env, projectFile } = await setup("", '[metadata]\nauthors = "me"\n');
    expect((await loadConfig({ env, projectFile })).layers.map((l) => l.kind)).toEqual(["built-in", "file"]);
  });

  it("anchors the project's relative paths at its wkg.toml, and the user's at theirs", async () => {
    const { env, dir } = await setup(
      '[registry."mine"]\ndefault = "local"\n[registry."mine".local]\nroot = "user-reg"\n[registry."shared".local]\nroot = "user-shared"\n',
      '[registry."files".local]\nroot = "vendor"\n[registry."shared".local]\nroot = "project-shared"\n[registry."mine"]\ndefault = "local"\n',
    );
    const { config } = await loadConfig({ env, projectFile: join(dir, "wkg.toml") });
    expect(config.registries.files?.dirs).toEqual({ local: dir });
    expect(config.registries.shared).toMatchObject({ backends: { local: { root: "project-shared" } }, dirs: { local: dir } });
    // The project only set `default` for "mine": its table is still the user's, relative to the user's file.
    expect(config.registries.mine).toEqual({ default: "local", backends: { local: { root: "user-reg" } } });
  });

  it("refuses a project file that holds credentials before anything uses it", async () => {
    const { env, projectFile } = await setup("", '[registry."r.example".oci]\nauth = { username = "u", password = "p" }\n');
    await expect(loadConfig({ env, projectFile })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      message: expect.stringContaining(`${projectFile}:2: registry."r.example".oci.auth: credentials are never read from wkg.toml`),
    });
  });
});
