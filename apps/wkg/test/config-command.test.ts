import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { runWkg, spawnWkg } from "./helpers.js";

afterAll(cleanupTempDirs);

async function home() {
  const dir = await tempDir();
  return { dir, env: { HOME: dir, XDG_CONFIG_HOME: join(dir, "xdg") }, file: join(dir, "xdg", "wasm-pkg", "config.toml") };
}

describe("wkg config", () => {
  it("warns when no default registry is set", async () => {
    const { env } = await home();
    const result = await runWkg(["config"], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("warning: Default registry is not set");
    expect(result.stdout).toBe("");
  });

  it("sets the default registry, creating the file and its directory", async () => {
    const { env, file } = await home();
    const result = await runWkg(["config", "--default-registry", "localhost:5000"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Default registry: localhost:5000\n");
    expect(result.stderr).toContain(`Updated config file ${file}`);
    expect(await readFile(file, "utf8")).toBe('default_registry = "localhost:5000"\n');
    expect((await runWkg(["config"], { env })).stdout).toBe("Default registry: localhost:5000\n");
  });

  it("keeps comments and other keys when changing the default registry", async () => {
    const { env, file } = await home();
    await mkdir(join(file, ".."), { recursive: true });
    await writeFile(file, '# mine\ndefault_registry = "a.example"\n\n[namespace_registries]\n# keep\nwasi = "wasi.dev"\n');
    await runWkg(["config", "--default-registry", "b.example"], { env });
    expect(await readFile(file, "utf8")).toBe(
      '# mine\ndefault_registry = "b.example"\n\n[namespace_registries]\n# keep\nwasi = "wasi.dev"\n',
    );
  });

  it("uses --config and WKG_CONFIG_FILE over the global file", async () => {
    const { env, dir } = await home();
    const explicit = join(dir, "explicit.toml");
    await runWkg(["config", "--config", explicit, "--default-registry", "one.example"], { env });
    expect(await readFile(explicit, "utf8")).toContain("one.example");
    const viaEnv = await runWkg(["config"], { env: { ...env, WKG_CONFIG_FILE: explicit } });
    expect(viaEnv.stdout).toBe("Default registry: one.example\n");
  });

  it("rejects an invalid registry without touching the file", async () => {
    const { env, file } = await home();
    await runWkg(["config", "--default-registry", "good.example"], { env });
    const result = await runWkg(["config", "--default-registry", "https://bad.example/x"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid registry "https://bad.example/x": it has a scheme');
    expect(await readFile(file, "utf8")).toContain("good.example");
  });

  it("reports malformed config with file and line", async () => {
    const { env, file } = await home();
    await mkdir(join(file, ".."), { recursive: true });
    await writeFile(file, "\n[namespace_registries]\nwasi = 42\n");
    const result = await runWkg(["config"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `invalid config: ${file}:3: namespace_registries.wasi: expected a registry name or { registry, metadata }, found a number (42)`,
    );
  });

  it("shows the effective config with sources and masked secrets", async () => {
    const { env, file } = await home();
    await mkdir(join(file, ".."), { recursive: true });
    await writeFile(
      file,
      'default_registry = "r.example"\n[registry."r.example".oci]\nauth = { username = "me", password = "p4ssw0rd-secret" }\nprotocol = "http"\n',
    );
    const result = await runWkg(["config", "--show"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`default_registry = "r.example"`);
    expect(result.stdout).toContain(`# ${file}`);
    expect(result.stdout).toMatch(/wasi = "wasi\.dev"\s+# built-in fallback/);
    expect(result.stdout).toContain('auth = { username = "me", password = "***" }');
    expect(result.stdout).not.toContain("p4ssw0rd-secret");
    const json = await runWkg(["config", "--show", "--json"], { env });
    const doc = JSON.parse(json.stdout);
    expect(doc.config.registries["r.example"].backends.oci.auth.password).toBe("***");
    expect(doc.sources.default_registry).toEqual({ kind: "file", path: file });
    expect(json.stdout).not.toContain("p4ssw0rd-secret");
  });

  it("edits with $EDITOR, creating a commented template, and checks the result", async () => {
    const { env, file, dir } = await home();
    const editor = join(dir, "editor.sh");
    await writeFile(editor, '#!/bin/sh\necho \'default_registry = "edited.example"\' >> "$1"\n', { mode: 0o755 });
    const result = await runWkg(["config", "--edit"], { env: { ...env, EDITOR: editor } });
    expect(result.code).toBe(0);
    const text = await readFile(file, "utf8");
    expect(text).toContain("# wkg configuration.");
    expect((await runWkg(["config"], { env })).stdout).toBe("Default registry: edited.example\n");

    const breaker = join(dir, "break.sh");
    await writeFile(breaker, '#!/bin/sh\necho "oops = [" >> "$1"\n', { mode: 0o755 });
    const broken = await runWkg(["config", "--edit"], { env: { ...env, EDITOR: breaker } });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`invalid config: ${file}:`);
    expect(broken.stderr).toContain("run `wkg config --edit` again");
  });

  it("explains a missing $EDITOR", async () => {
    const { env } = await home();
    const result = await runWkg(["config", "--edit"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("$EDITOR environment variable is not set");
  });

  it("works end to end through the real binary in a temp HOME", async () => {
    const { env, file } = await home();
    const set = await spawnWkg(["config", "--default-registry", "localhost:5050"], { env });
    expect(set.code).toBe(0);
    expect(set.stdout).toBe("Default registry: localhost:5050\n");
    expect(await readFile(file, "utf8")).toBe('default_registry = "localhost:5050"\n');
    const version = await spawnWkg(["--version"], { env });
    expect(version.stdout).toMatch(/^wkg \d+\.\d+\.\d+\n$/);
    const usage = await spawnWkg(["config", "--bogus"], { env });
    expect(usage.code).toBe(2);
  });

  it("makes a written file with credentials private", async () => {
    if (process.platform === "win32") return;
    const { env, file } = await home();
    await mkdir(join(file, ".."), { recursive: true });
    await writeFile(file, '[registry."r.example".oci]\nauth = "dTpwYXNz"\n', { mode: 0o644 });
    await runWkg(["config", "--default-registry", "r.example"], { env });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
