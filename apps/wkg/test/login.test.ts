import { execFile, spawnSync } from "node:child_process";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { type TestRegistry, cleanupTempDirs, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { component, runWkg, spawnWkg } from "./helpers.js";

let n = 0;
const ref = (registry: TestRegistry) => `${registry.registry}/login/r${process.pid}-${++n}:1.0.0`;

/** A home with its own DOCKER_CONFIG; `config.json` seeded with another registry and a key wkg does not know. */
async function home() {
  const dir = await tempDir();
  const dockerDir = join(dir, "docker");
  await mkdir(dockerDir);
  const configPath = join(dockerDir, "config.json");
  await writeFile(
    configPath,
    JSON.stringify({ auths: { "other.example": { auth: "b3RoZXI6c2VjcmV0" } }, psFormat: "table {{.ID}}", proxies: { default: {} } }),
  );
  const env = { HOME: dir, DOCKER_CONFIG: dockerDir, PATH: process.env.PATH };
  const readConfig = async () => JSON.parse(await readFile(configPath, "utf8"));
  return { dir, env, configPath, readConfig };
}

afterAll(cleanupTempDirs);

describe("wkg login / logout against a registry with htpasswd (Basic) auth", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "basic" });
  });
  afterAll(() => registry?.stop());

  it("stores nothing when the registry refuses the password", async () => {
    const { env, readConfig } = await home();
    const before = await readConfig();
    const wrong = await runWkg(["login", registry.registry, "-u", registry.username as string, "--password-stdin"], {
      env,
      stdin: "not-the-password\n",
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("refused the credentials");
    expect(wrong.stderr).toContain("nothing was stored");
    expect(wrong.stderr).not.toContain("not-the-password");
    expect(await readConfig()).toEqual(before);
  });

  it("stores verified credentials (0600, other entries kept) that wkg oci and skopeo then use; logout removes them", async () => {
    const { dir, env, configPath, readConfig } = await home();
    const login = await runWkg(["login", registry.registry, "-u", registry.username as string, "--password-stdin"], {
      env,
      stdin: `${registry.password}\n`,
    });
    expect(login.stderr).toBe(
      `   Verifying credentials of ${registry.username} against ${registry.registry}\n      Stored credentials for ${registry.registry} in ${configPath}\n`,
    );
    expect(login.code).toBe(0);
    expect(login.stdout).toBe(`Logged in to ${registry.registry} as ${registry.username}\n`);
    expect((await stat(configPath)).mode & 0o777).toBe(0o600);
    const config = await readConfig();
    expect(config.auths[registry.registry]).toEqual({
      auth: Buffer.from(`${registry.username}:${registry.password}`).toString("base64"),
    });
    expect(config.auths["other.example"]).toEqual({ auth: "b3RoZXI6c2VjcmV0" });
    expect(config.psFormat).toBe("table {{.ID}}");
    expect(config.proxies).toEqual({ default: {} });

    // The stored credentials are what `wkg oci` uses now.
    const target = ref(registry);
    await writeFile(join(dir, "app.wasm"), component(2000));
    expect((await runWkg(["oci", "push", target, "app.wasm"], { env, cwd: dir })).code).toBe(0);
    const pulled = await runWkg(["oci", "pull", target, "-o", "back.wasm"], { env, cwd: dir });
    expect(pulled.code).toBe(0);
    expect(await readFile(join(dir, "back.wasm"))).toEqual(await readFile(join(dir, "app.wasm")));

    // skopeo reads the same file.
    const { stdout } = await promisify(execFile)("skopeo", [
      "inspect",
      "--raw",
      "--tls-verify=false",
      "--authfile",
      configPath,
      `docker://${target}`,
    ]);
    expect(JSON.parse(stdout).layers[0].mediaType).toBe("application/wasm");

    const logout = await runWkg(["logout", registry.registry], { env });
    expect(logout.code).toBe(0);
    expect(logout.stdout).toBe(`Logged out of ${registry.registry}\n`);
    const after = await readConfig();
    expect(after.auths).toEqual({ "other.example": { auth: "b3RoZXI6c2VjcmV0" } });
    expect(after.psFormat).toBe("table {{.ID}}");
    const denied = await runWkg(["oci", "pull", target, "-o", "again.wasm"], { env, cwd: dir });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("not found or not authorized");

    const twice = await runWkg(["logout", registry.registry], { env });
    expect(twice.code).toBe(0);
    expect(twice.stdout).toBe(`Not logged in to ${registry.registry}\n`);

    // And the other way round: what `skopeo login` stores, wkg uses.
    const skopeo = spawnSync(
      "skopeo",
      ["login", "--tls-verify=false", "--authfile", configPath, "-u", registry.username as string, "--password-stdin", registry.registry],
      { input: registry.password as string, encoding: "utf8" },
    );
    expect(skopeo.status, skopeo.stderr).toBe(0);
    expect((await runWkg(["oci", "pull", target, "-o", "again.wasm"], { env, cwd: dir })).code).toBe(0);
  });

  it("reads --password-stdin from the real stdin of the built wkg", async () => {
    const { env, readConfig } = await home();
    const login = await spawnWkg(["login", registry.registry, "-u", registry.username as string, "--password-stdin"], {
      env,
      input: `${registry.password}\n`,
    });
    expect(login.code, login.stderr).toBe(0);
    expect((await readConfig()).auths[registry.registry]).toEqual({
      auth: Buffer.from(`${registry.username}:${registry.password}`).toString("base64"),
    });
  });

  it("replaces an older spelling of the same registry instead of adding a second entry", async () => {
    const { env, configPath, readConfig } = await home();
    await writeFile(configPath, JSON.stringify({ auths: { [`https://${registry.registry}`]: { auth: "c3RhbGU6c3RhbGU=" } } }));
    const login = await runWkg(["login", registry.registry, "-u", registry.username as string, "--password-stdin"], {
      env,
      stdin: registry.password,
    });
    expect(login.code).toBe(0);
    expect(Object.keys((await readConfig()).auths)).toEqual([registry.registry]);
  });

  it("takes --password with a warning, and refuses a login without a password source", async () => {
    const { env, readConfig } = await home();
    const none = await runWkg(["login", registry.registry, "-u", registry.username as string], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--password-stdin");
    const noUser = await runWkg(["login", registry.registry, "--password-stdin"], { env, stdin: "x" });
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain("needs --username");

    const flag = await runWkg(["login", registry.registry, "-u", registry.username as string, "--password", registry.password as string], {
      env,
    });
    expect(flag.code).toBe(0);
    expect(flag.stderr).toContain("warning: a password given with --password");
    expect(flag.stderr).not.toContain(registry.password);
    expect((await readConfig()).auths[registry.registry]).toBeDefined();
  });

  it("refuses to rewrite a Docker config it cannot parse, leaving it as it was", async () => {
    const { env, configPath } = await home();
    await writeFile(configPath, "{ not json");
    const login = await runWkg(["login", registry.registry, "-u", registry.username as string, "--password-stdin"], {
      env,
      stdin: registry.password,
    });
    expect(login.code).not.toBe(0);
    expect(login.stderr).toContain(`invalid Docker config ${configPath}`);
    expect(await readFile(configPath, "utf8")).toBe("{ not json");
  });
});

describe("wkg login against a registry with token auth", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "token" });
  });
  afterAll(() => registry?.stop());

  it("verifies through the token server: a refused password stores nothing, a good one is used by wkg oci", async () => {
    const { dir, env, readConfig } = await home();
    const wrong = await runWkg(["login", registry.registry, "-u", registry.username as string, "--password-stdin"], {
      env,
      stdin: "wrong-token-password",
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("nothing was stored");
    expect((await readConfig()).auths[registry.registry]).toBeUndefined();

    const login = await runWkg(["login", registry.registry, "-u", registry.username as string, "--password-stdin"], {
      env,
      stdin: `${registry.password}\n`,
    });
    expect(login.code).toBe(0);
    expect((await readConfig()).auths[registry.registry]).toBeDefined();

    const target = ref(registry);
    await writeFile(join(dir, "app.wasm"), component(1500));
    expect((await runWkg(["oci", "push", target, "app.wasm"], { env, cwd: dir })).code).toBe(0);
    expect((await runWkg(["oci", "pull", target, "-o", "back.wasm"], { env, cwd: dir })).code).toBe(0);
  });
});

describe("wkg login / logout with a credential helper", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "basic" });
  });
  afterAll(() => registry?.stop());

  /** `docker-credential-fake`: the helper protocol over stdin/stdout, keeping its secrets in a JSON file. */
  async function fakeHelper(dir: string) {
    const bin = join(dir, "bin");
    await mkdir(bin);
    const store = join(dir, "helper-store.json");
    const script = `#!${process.execPath}
const fs = require("node:fs");
const file = ${JSON.stringify(store)};
const load = () => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {});
const input = fs.readFileSync(0, "utf8");
const all = load();
const action = process.argv[2];
if (action === "store") {
  const doc = JSON.parse(input);
  all[doc.ServerURL] = { Username: doc.Username, Secret: doc.Secret };
  fs.writeFileSync(file, JSON.stringify(all));
} else if (action === "get" || action === "erase") {
  const server = input.trim();
  if (!all[server]) { process.stdout.write("credentials not found in native keychain\\n"); process.exit(1); }
  if (action === "get") process.stdout.write(JSON.stringify({ ServerURL: server, ...all[server] }));
  else { delete all[server]; fs.writeFileSync(file, JSON.stringify(all)); }
} else { process.exit(2); }
`;
    await writeFile(join(bin, "docker-credential-fake"), script);
    await chmod(join(bin, "docker-credential-fake"), 0o755);
    return { bin, readStore: async () => JSON.parse(await readFile(store, "utf8")) };
  }

  it("stores with the credsStore helper (not in the file), pulls through it, and erases with it", async () => {
    const { dir, env: base, configPath } = await home();
    const helper = await fakeHelper(dir);
    const env = { ...base, PATH: `${helper.bin}:${process.env.PATH}` };
    await writeFile(configPath, JSON.stringify({ credsStore: "fake", auths: {} }));

    const login = await runWkg(["login", registry.registry, "-u", registry.username as string, "--password-stdin"], {
      env,
      stdin: registry.password,
    });
    expect(login.code).toBe(0);
    expect(login.stderr).toContain("docker-credential-fake");
    expect(await helper.readStore()).toEqual({ [registry.registry]: { Username: registry.username, Secret: registry.password } });
    expect(await readFile(configPath, "utf8")).not.toContain(Buffer.from(`${registry.username}:`).toString("base64").slice(0, 8));

    const target = ref(registry);
    await writeFile(join(dir, "app.wasm"), component(1200));
    expect((await runWkg(["oci", "push", target, "app.wasm"], { env, cwd: dir })).code).toBe(0);
    expect((await runWkg(["oci", "pull", target, "-o", "back.wasm"], { env, cwd: dir })).code).toBe(0);

    const logout = await runWkg(["logout", registry.registry], { env });
    expect(logout.code).toBe(0);
    expect(await helper.readStore()).toEqual({});
  });

  it("names the helper when it cannot be run, and stores nothing elsewhere", async () => {
    const { env, configPath } = await home();
    await writeFile(configPath, JSON.stringify({ credHelpers: { [registry.registry]: "missing-helper" } }));
    const login = await runWkg(["login", registry.registry, "-u", registry.username as string, "--password-stdin"], {
      env,
      stdin: registry.password,
    });
    expect(login.code).not.toBe(0);
    expect(login.stderr).toContain("docker-credential-missing-helper: not found on PATH");
    expect(JSON.parse(await readFile(configPath, "utf8"))).toEqual({ credHelpers: { [registry.registry]: "missing-helper" } });
  });
});
