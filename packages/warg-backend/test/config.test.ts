import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { WkgEvent } from "@wasm-pkg/common";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { defaultStateDir, loadWargClientConfig, normalizeWargUrl, parseWargSettings, registryUrl, wargConfigDir } from "../src/config.js";

afterAll(cleanupTempDirs);

const ALICE = "ecdsa-p256:I+UlDo0HxyBBFeelhPPWmD+LnklOpqZDkrFP5VduASk=";

describe("[registry.x.warg] table", () => {
  it("reads the upstream keys and our state_dir, resolving paths against the cwd", () => {
    const events: WkgEvent[] = [];
    const s = parseWargSettings(
      { config_file: "warg.json", auth_token: "tok-abcdef", signing_key: ALICE, state_dir: "state", colour: "blue" },
      "r.example",
      "/work/project",
      (e) => events.push(e),
    );
    expect(s.configFile).toBe("/work/project/warg.json");
    expect(s.stateDir).toBe("/work/project/state");
    expect(s.authToken).toBe("tok-abcdef");
    expect(s.signingKey?.publicKey.text).toBe("ecdsa-p256:A1OfZz5Y9Ny7VKPVwroCTQPAr9tmlI4U/UTYHZHA87AF");
    expect(events).toEqual([expect.objectContaining({ type: "warn", message: expect.stringContaining("colour") })]);
    expect(parseWargSettings(undefined, "r", "/", () => {})).toEqual({});
  });

  it("rejects wrong types and bad keys without echoing the key", () => {
    expect(() => parseWargSettings({ auth_token: 5 }, "r.example", "/", () => {})).toThrow(
      /\[registry\."r\.example"\.warg\] auth_token must be a non-empty string/,
    );
    expect(() => parseWargSettings("x", "r", "/", () => {})).toThrow(/must be a table/);
    const secret = "ecdsa-p256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    try {
      parseWargSettings({ signing_key: secret }, "r", "/", () => {});
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe("INVALID_CONFIG");
      expect((error as Error).message).toMatch(/invalid signing key/);
      expect((error as Error).message).not.toContain("AAAAAAAA");
    }
  });
});

describe("warg client config file", () => {
  it("finds warg-config.json in an ancestor of the cwd and resolves its dirs against the file", async () => {
    const root = await tempDir();
    await writeFile(
      join(root, "warg-config.json"),
      JSON.stringify({ registriesDir: "regs", contentDir: "/abs/content", disableAutoPackageInit: true, keys: ["a"] }),
    );
    await mkdir(join(root, "a", "b"), { recursive: true });
    const config = await loadWargClientConfig(undefined, join(root, "a", "b"), { HOME: root });
    expect(config).toMatchObject({
      path: join(root, "warg-config.json"),
      registriesDir: join(root, "regs"),
      contentDir: "/abs/content",
      disableAutoPackageInit: true,
      keys: ["a"],
    });
  });

  it("falls back to <config dir>/warg/config.json, then to defaults", async () => {
    const home = await tempDir();
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, "xdg") };
    expect(await loadWargClientConfig(undefined, home, env, "linux")).toEqual({});
    await mkdir(join(home, "xdg", "warg"), { recursive: true });
    await writeFile(join(home, "xdg", "warg", "config.json"), JSON.stringify({ ignoreFederationHints: true }));
    expect(await loadWargClientConfig(undefined, home, env, "linux")).toMatchObject({ ignoreFederationHints: true });
  });

  it("fails on a missing explicit file and on bad JSON, naming the file", async () => {
    const dir = await tempDir();
    await expect(loadWargClientConfig(join(dir, "nope.json"), dir, {})).rejects.toThrow(/nope\.json does not exist/);
    await writeFile(join(dir, "bad.json"), "{ nope");
    await expect(loadWargClientConfig(join(dir, "bad.json"), dir, {})).rejects.toThrow(/invalid warg config .*bad\.json/);
    await writeFile(join(dir, "typed.json"), JSON.stringify({ keyringAuth: "yes" }));
    await expect(loadWargClientConfig(join(dir, "typed.json"), dir, {})).rejects.toThrow(/keyringAuth must be true or false/);
  });

  it("knows warg's config and our state directories per platform", () => {
    expect(wargConfigDir({ APPDATA: "C:\\Users\\u\\AppData\\Roaming" }, "win32")).toBe("C:\\Users\\u\\AppData\\Roaming");
    expect(wargConfigDir({ HOME: "/Users/u" }, "darwin")).toBe("/Users/u/Library/Application Support");
    expect(wargConfigDir({ HOME: "/home/u", XDG_CONFIG_HOME: "/xdg" }, "linux")).toBe("/xdg");
    expect(wargConfigDir({ HOME: "/home/u", XDG_CONFIG_HOME: "relative" }, "linux")).toBe("/home/u/.config");
    expect(defaultStateDir({ HOME: "/home/u", XDG_CACHE_HOME: "/cache" }, "linux")).toBe("/cache/wasm-pkg/warg");
    expect(defaultStateDir({ HOME: "/home/u" }, "linux")).toBe("/home/u/.cache/wasm-pkg/warg");
  });
});

describe("registry URLs", () => {
  it("normalizes like warg's RegistryUrl", () => {
    expect(normalizeWargUrl("bare-host", "t").href).toBe("https://bare-host/");
    expect(normalizeWargUrl("https://warg.io/with/path", "t").href).toBe("https://warg.io/with/path/");
    for (const ok of ["http://localhost", "http://127.0.0.1", "http://[::1]", "http://localhost:8080"]) {
      expect(normalizeWargUrl(ok, "t").protocol).toBe("http:");
    }
    for (const bad of [
      "bad://scheme",
      "http://insecure-domain",
      "http://6.6.6.6/insecure/ipv4",
      "http://[abcd::1234]/insecure/ipv6",
      "https://user:pw@host",
    ]) {
      expect(() => normalizeWargUrl(bad, "t")).toThrow();
    }
  });

  it("takes warg.url from the metadata, else derives it from the registry name", () => {
    expect(registryUrl("wa.dev", { url: "https://warg.wa.dev" })).toEqual({ url: new URL("https://warg.wa.dev/"), fromMetadata: true });
    expect(registryUrl("localhost:1234", undefined).url.href).toBe("http://localhost:1234/");
    expect(registryUrl("127.0.0.1:1234", {}).url.href).toBe("http://127.0.0.1:1234/");
    expect(registryUrl("example.com:8443", null).url.href).toBe("https://example.com:8443/");
    expect(() => registryUrl("x", { url: 5 })).toThrow(/warg\.url must be a string/);
    expect(() => registryUrl("x", "nope")).toThrow(/must be an object/);
  });
});
