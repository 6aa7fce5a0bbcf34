import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { redact } from "@wasm-pkg/common";
import { globalCacheDir, globalConfigPath, loadConfig, setTopLevelString, writeConfigFile } from "../src/index.js";

afterAll(cleanupTempDirs);

describe("config locations", () => {
  it("uses XDG_CONFIG_HOME when absolute, else ~/.config, on Linux and macOS", () => {
    expect(globalConfigPath({ XDG_CONFIG_HOME: "/x", HOME: "/h" }, "linux")).toBe("/x/wasm-pkg/config.toml");
    expect(globalConfigPath({ XDG_CONFIG_HOME: "rel", HOME: "/h" }, "linux")).toBe("/h/.config/wasm-pkg/config.toml");
    expect(globalConfigPath({ HOME: "/Users/me" }, "darwin")).toBe("/Users/me/.config/wasm-pkg/config.toml");
  });

  it("uses APPDATA on Windows", () => {
    expect(globalConfigPath({ APPDATA: "C:\\Users\\me\\AppData\\Roaming" }, "win32")).toMatch(/wasm-pkg[\\/]config\.toml$/);
    expect(globalConfigPath({}, "win32")).toBeUndefined();
  });

  it("puts the cache under XDG_CACHE_HOME or ~/.cache", () => {
    expect(globalCacheDir({ XDG_CACHE_HOME: "/c" }, "linux")).toBe("/c/wasm-pkg");
    expect(globalCacheDir({ HOME: "/h" }, "linux")).toBe("/h/.cache/wasm-pkg");
  });
});

describe("loadConfig", () => {
  it("reads the global file and keeps the built-ins", async () => {
    const home = await tempDir();
    await mkdir(join(home, "wasm-pkg"));
    await writeFile(join(home, "wasm-pkg", "config.toml"), 'default_registry = "localhost:5000"\n');
    const loaded = await loadConfig({ env: { XDG_CONFIG_HOME: home } });
    expect(loaded.config.defaultRegistry).toBe("localhost:5000");
    expect(loaded.config.fallbacks.wasi).toBe("wasi.dev");
    expect(loaded.sources.default_registry).toEqual({ kind: "file", path: join(home, "wasm-pkg", "config.toml") });
    expect(loaded.sources["fallbacks.wasi"]).toEqual({ kind: "built-in" });
  });

  it("is fine without any file", async () => {
    const home = await tempDir();
    const loaded = await loadConfig({ env: { XDG_CONFIG_HOME: home } });
    expect(loaded.layers).toEqual([{ kind: "built-in" }]);
    expect(loaded.path).toBe(join(home, "wasm-pkg", "config.toml"));
  });

  it("loads only the --config file (WKG_CONFIG_FILE too), keeping built-in fallbacks", async () => {
    const dir = await tempDir();
    const home = await tempDir();
    await mkdir(join(home, "wasm-pkg"));
    await writeFile(join(home, "wasm-pkg", "config.toml"), 'default_registry = "global.example"\n');
    const file = join(dir, "c.toml");
    await writeFile(file, '[namespace_registries]\nacme = "acme.example"\n');
    for (const loaded of [
      await loadConfig({ configFile: file, env: { XDG_CONFIG_HOME: home } }),
      await loadConfig({ env: { XDG_CONFIG_HOME: home, WKG_CONFIG_FILE: file } }),
    ]) {
      expect(loaded.config.defaultRegistry).toBeUndefined();
      expect(loaded.config.namespaceRegistries.acme?.registry).toBe("acme.example");
      expect(loaded.config.fallbacks.wasi).toBe("wasi.dev");
      expect(loaded.path).toBe(file);
    }
  });

  it("fails clearly when an explicit config file is missing", async () => {
    await expect(loadConfig({ configFile: "/nonexistent/c.toml", env: {} })).rejects.toMatchObject({
      code: "CONFIG_IO",
      message: "config file /nonexistent/c.toml does not exist",
    });
  });

  it("registers configured passwords so no message can leak them", async () => {
    const dir = await tempDir();
    const file = join(dir, "c.toml");
    await writeFile(file, '[registry."r.example".oci]\nauth = { username = "u", password = "correct-horse-battery" }\n');
    await loadConfig({ configFile: file, env: {} });
    expect(redact("oops correct-horse-battery")).toBe("oops ***");
  });
});

describe("writing", () => {
  it("sets default_registry in place, keeping comments and other keys", () => {
    const before = '# my settings\n\ndefault_registry = "old.example" # trailing\n\n[namespace_registries]\n# keep me\nwasi = "wasi.dev"\n';
    const after = setTopLevelString(before, "default_registry", "new.example");
    expect(after).toBe(
      '# my settings\n\ndefault_registry = "new.example" # trailing\n\n[namespace_registries]\n# keep me\nwasi = "wasi.dev"\n',
    );
  });

  it("inserts default_registry before the first table when absent", () => {
    const after = setTopLevelString('# header\n[namespace_registries]\nwasi = "wasi.dev"\n', "default_registry", "r.example");
    expect(after).toBe('# header\ndefault_registry = "r.example"\n[namespace_registries]\nwasi = "wasi.dev"\n');
    expect(setTopLevelString("", "default_registry", "r.example")).toBe('default_registry = "r.example"\n');
  });

  it("makes files with credentials private, and refuses to write invalid config", async () => {
    const dir = await tempDir();
    const file = join(dir, "sub", "config.toml");
    await writeConfigFile(file, '[registry."r.example".oci]\nauth = "dTpw"\n');
    if (process.platform !== "win32") expect((await stat(file)).mode & 0o777).toBe(0o600);
    await expect(writeConfigFile(file, "default_registry = 5\n")).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    expect(await readFile(file, "utf8")).toContain("dTpw");
  });
});
