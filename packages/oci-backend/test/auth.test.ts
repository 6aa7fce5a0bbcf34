import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isWkgError } from "@wasm-pkg/common";
import { type TestRegistry, cleanupTempDirs, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciClient, bearerEnvVar } from "../src/index.js";
import { fakeComponent, readAll, recordingLogger, sameBytes, uniqueRepo } from "./helpers.js";

afterAll(cleanupTempDirs);

async function dockerConfigDir(config: unknown): Promise<string> {
  const dir = await tempDir("wkg-docker-");
  await writeFile(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

/** A credential helper `docker-credential-<name>` that answers from a fixed table. */
async function fakeHelper(name: string, answers: Record<string, { Username: string; Secret: string }>): Promise<string> {
  const dir = await tempDir("wkg-helper-");
  const script = `#!/bin/sh
read server
case "$server" in
${Object.entries(answers)
  .map(([server, answer]) => `  ${JSON.stringify(server)}) echo '${JSON.stringify({ ServerURL: server, ...answer })}' ;;`)
  .join("\n")}
  *) echo "credentials not found in native keychain" >&2; exit 1 ;;
esac
`;
  const path = join(dir, `docker-credential-${name}`);
  await writeFile(path, script);
  await chmod(path, 0o755);
  return dir;
}

describe("token auth (Bearer challenge)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "token" });
  });
  afterAll(() => registry?.stop());

  const userClient = (extra: ConstructorParameters<typeof OciClient>[0] = {}) =>
    new OciClient({
      env: {},
      dockerConfig: false,
      credentials: { username: registry.username as string, password: registry.password as string },
      ...extra,
    });

  it("fetches one token per scope and reuses it, push scope covering pulls", async () => {
    const tokens = registry.tokenServer!;
    const before = tokens.requests.length;
    const client = userClient();
    const repo = `${registry.registry}/${uniqueRepo()}`;
    const bytes = fakeComponent(5000);
    await client.push(`${repo}:1.0.0`, bytes);
    await client.push(`${repo}:1.0.1`, bytes);
    for (let i = 0; i < 3; i++) expect(sameBytes(await readAll((await client.pull(`${repo}:1.0.0`)).content), bytes)).toBe(true);
    expect(await client.listTags(repo)).toHaveLength(2);
    const made = tokens.requests.slice(before);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ user: registry.username, status: 200 });
    expect(made[0]?.scopes).toEqual([`repository:${repo.slice(registry.registry.length + 1)}:pull,push`]);
    await client.close();
  });

  it("pulls anonymously when the token server allows it, and refuses anonymous pushes without looping", async () => {
    const pusher = userClient();
    const repo = `${registry.registry}/${uniqueRepo()}`;
    const bytes = fakeComponent(3000);
    await pusher.push(`${repo}:1.0.0`, bytes);

    const tokens = registry.tokenServer!;
    const before = tokens.requests.length;
    const anonymous = new OciClient({ env: {}, dockerConfig: false });
    expect(sameBytes(await readAll((await anonymous.pull(`${repo}:1.0.0`)).content), bytes)).toBe(true);
    expect(tokens.requests.slice(before).every((r) => !r.hadAuthorization && r.user === undefined)).toBe(true);

    const refused = await anonymous.push(`${repo}:2.0.0`, fakeComponent(100)).catch((e: unknown) => e);
    expect(isWkgError(refused, "UNAUTHORIZED")).toBe(true);
    expect((refused as Error).message).toContain("not authorized");
    expect((refused as { hint?: string }).hint).toContain("needs credentials");
    expect(tokens.requests.length - before).toBeLessThanOrEqual(4);
    await Promise.all([pusher.close(), anonymous.close()]);
  });

  it("fetches a new token once when the registry rejects one, and gives up when it keeps happening", async () => {
    const tokens = registry.tokenServer!;
    const client = userClient();
    const repo = `${registry.registry}/${uniqueRepo()}`;
    tokens.breakNextTokens(1);
    const before = tokens.requests.length;
    await client.push(`${repo}:1.0.0`, fakeComponent(1000));
    expect(tokens.requests.length - before).toBe(2);

    const fresh = userClient();
    tokens.breakNextTokens(50);
    const start = tokens.requests.length;
    const error = await fresh.listTags(repo).catch((e: unknown) => e);
    tokens.repairTokens();
    expect(isWkgError(error, "UNAUTHORIZED")).toBe(true);
    expect(tokens.requests.length - start).toBeLessThanOrEqual(3);
    await Promise.all([client.close(), fresh.close()]);
  });

  it("reports credentials the token server refuses, naming the user but not the password", async () => {
    const logger = recordingLogger();
    const client = new OciClient({
      env: {},
      dockerConfig: false,
      logger,
      credentials: { username: registry.username as string, password: "definitely-wrong-pw" },
    });
    const error = await client.listTags(`${registry.registry}/${uniqueRepo()}`).catch((e: unknown) => e);
    expect(isWkgError(error, "UNAUTHORIZED")).toBe(true);
    expect((error as Error).message).toContain(`token server refused user ${registry.username}`);
    const everything = JSON.stringify({ error: String(error), hint: (error as { hint?: string }).hint, events: logger.events });
    expect(everything).not.toContain("definitely-wrong-pw");
    expect(everything).not.toContain(Buffer.from(`${registry.username}:definitely-wrong-pw`).toString("base64"));
    await client.close();
  });

  it("exchanges a Docker identity token with the OAuth2 refresh_token grant", async () => {
    const docker = await dockerConfigDir({ auths: { [registry.registry]: { identitytoken: registry.identityToken } } });
    const client = new OciClient({ env: { DOCKER_CONFIG: docker } });
    const before = registry.tokenServer!.requests.length;
    await client.push(`${registry.registry}/${uniqueRepo()}:1.0.0`, fakeComponent(500));
    const made = registry.tokenServer!.requests.slice(before);
    expect(made.map((r) => [r.method, r.grantType, r.user])).toEqual([["POST", "refresh_token", registry.username]]);
    await client.close();
  });

  it("takes an identity token from a credential helper (Username <token>)", async () => {
    const helperDir = await fakeHelper("idtoken", {
      [registry.registry]: { Username: "<token>", Secret: registry.identityToken as string },
    });
    const docker = await dockerConfigDir({ credHelpers: { [registry.registry]: "idtoken" } });
    const client = new OciClient({ env: { PATH: `${helperDir}:${process.env.PATH}`, DOCKER_CONFIG: docker } });
    const before = registry.tokenServer!.requests.length;
    await client.push(`${registry.registry}/${uniqueRepo()}:1.0.0`, fakeComponent(500));
    expect(registry.tokenServer!.requests.slice(before).map((r) => r.grantType)).toEqual(["refresh_token"]);
    await client.close();
  });

  it("sends WKG_REGISTRY_<HOST>_AUTH_BEARER as it is, without asking the token server", async () => {
    const realm = registry.tokenServer!;
    const basic = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
    const repoPath = uniqueRepo();
    const response = await fetch(`${realm.realm}?service=${realm.service}&scope=repository:${repoPath}:pull,push`, {
      headers: { authorization: `Basic ${basic}` },
    });
    const { token } = (await response.json()) as { token: string };
    const name = bearerEnvVar(registry.registry);
    expect(name).toBe(`WKG_REGISTRY_127_0_0_1_${registry.port}_AUTH_BEARER`);
    const client = new OciClient({ env: { [name]: token }, dockerConfig: false });
    const before = realm.requests.length;
    await client.push(`${registry.registry}/${repoPath}:1.0.0`, fakeComponent(700));
    expect(await client.listTags(`${registry.registry}/${repoPath}`)).toEqual(["1.0.0"]);
    expect(realm.requests.length).toBe(before);
    await client.close();
  });

  it("falls back to anonymous pulls when stale Docker credentials are refused, with a warning", async () => {
    const pusher = userClient();
    const repo = `${registry.registry}/${uniqueRepo()}`;
    await pusher.push(`${repo}:1.0.0`, fakeComponent(300));
    const stale = Buffer.from(`${registry.username}:old-password-1`).toString("base64");
    const docker = await dockerConfigDir({ auths: { [`https://${registry.registry}`]: { auth: stale } } });
    const logger = recordingLogger();
    const client = new OciClient({ env: { DOCKER_CONFIG: docker }, logger });
    expect(await client.listTags(repo)).toEqual(["1.0.0"]);
    expect(logger.events.some((e) => e.type === "warn" && e.message.includes("trying anonymously"))).toBe(true);
    await Promise.all([pusher.close(), client.close()]);
  });
});

describe("token auth: lifetimes and response shapes", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "token", token: { lifetimeSeconds: 2, responseFields: "access_token" } });
  });
  afterAll(() => registry?.stop());

  it("uses access_token when there is no token field, and fetches a new one after expiry", async () => {
    const client = new OciClient({
      env: {},
      dockerConfig: false,
      credentials: { username: registry.username as string, password: registry.password as string },
    });
    const repo = `${registry.registry}/${uniqueRepo()}`;
    await client.push(`${repo}:1.0.0`, fakeComponent(100));
    const before = registry.tokenServer!.requests.length;
    await client.listTags(repo);
    expect(registry.tokenServer!.requests.length).toBe(before);
    // expires_in 2 s: refreshed from half-way (1 s) on.
    await new Promise((r) => setTimeout(r, 1100));
    await client.listTags(repo);
    expect(registry.tokenServer!.requests.length).toBe(before + 1);
    await client.close();
  });
});

describe("basic auth and the Docker config", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "basic" });
  });
  afterAll(() => registry?.stop());

  const auth = () => Buffer.from(`${registry.username}:${registry.password}`).toString("base64");

  it.each([
    ["a bare host key, as `docker login` writes it", (host: string) => host],
    ["an https:// key", (host: string) => `https://${host}`],
    ["an https:// key with a path", (host: string) => `https://${host}/v1/`],
  ])("finds auths under %s", async (_label, key) => {
    const docker = await dockerConfigDir({ auths: { [key(registry.registry)]: { auth: auth() } } });
    const client = new OciClient({ env: { DOCKER_CONFIG: docker } });
    await client.push(`${registry.registry}/${uniqueRepo()}:1.0.0`, fakeComponent(200));
    await client.close();
  });

  it("runs credHelpers and credsStore helpers", async () => {
    const helperDir = await fakeHelper("wkgtest", {
      [registry.registry]: { Username: registry.username as string, Secret: registry.password as string },
    });
    const env = { PATH: `${helperDir}:${process.env.PATH}` };
    for (const config of [{ credHelpers: { [registry.registry]: "wkgtest" } }, { credsStore: "wkgtest" }]) {
      const docker = await dockerConfigDir(config);
      const client = new OciClient({ env: { ...env, DOCKER_CONFIG: docker } });
      await client.push(`${registry.registry}/${uniqueRepo()}:1.0.0`, fakeComponent(200));
      await client.close();
    }
  });

  it("treats a helper's 'credentials not found' as no credentials", async () => {
    const helperDir = await fakeHelper("empty", {});
    const docker = await dockerConfigDir({ credsStore: "empty" });
    const logger = recordingLogger();
    const client = new OciClient({ env: { PATH: `${helperDir}:${process.env.PATH}`, DOCKER_CONFIG: docker }, logger });
    const error = await client.listTags(`${registry.registry}/${uniqueRepo()}`).catch((e: unknown) => e);
    expect(isWkgError(error, "UNAUTHORIZED")).toBe(true);
    expect((error as Error).message).toContain("not found or not authorized");
    expect(logger.events.some((e) => e.type === "warn")).toBe(false);
    await client.close();
  });

  it("warns about a missing helper and carries on without credentials", async () => {
    const docker = await dockerConfigDir({ credsStore: "does-not-exist-anywhere" });
    const logger = recordingLogger();
    const client = new OciClient({ env: { PATH: "/nonexistent", DOCKER_CONFIG: docker }, logger });
    const error = await client.listTags(`${registry.registry}/${uniqueRepo()}`).catch((e: unknown) => e);
    expect(isWkgError(error, "UNAUTHORIZED")).toBe(true);
    const warning = logger.events.find((e) => e.type === "warn");
    expect(warning).toMatchObject({ message: expect.stringContaining("docker-credential-does-not-exist-anywhere") });
    await client.close();
  });

  it("never puts the password or the Authorization value in events or errors", async () => {
    const logger = recordingLogger();
    const client = new OciClient({
      env: {},
      dockerConfig: false,
      logger,
      credentials: { username: registry.username as string, password: registry.password as string },
    });
    const repo = `${registry.registry}/${uniqueRepo()}`;
    await client.push(`${repo}:1.0.0`, fakeComponent(100));
    await client.resolve(`${repo}:9.9.9`).catch(() => {});
    const text = JSON.stringify(logger.events);
    expect(text).not.toContain(registry.password as string);
    expect(text).not.toContain(auth());
    expect(logger.events.filter((e) => e.type === "http").length).toBeGreaterThan(3);
    await client.close();
  });
});

describe("token auth over TLS with a plain-http realm on loopback", () => {
  it("pushes and pulls", async () => {
    const registry = await startRegistry({ mode: "token", tls: true });
    try {
      const client = new OciClient({
        env: {},
        dockerConfig: false,
        ca: [registry.caCert as string],
        credentials: { username: registry.username as string, password: registry.password as string },
      });
      const repo = `${registry.registry}/${uniqueRepo()}`;
      const bytes = fakeComponent(1234);
      await client.push(`${repo}:1.0.0`, bytes);
      expect(sameBytes(await readAll((await client.pull(`${repo}:1.0.0`)).content), bytes)).toBe(true);
      await client.close();
    } finally {
      await registry.stop();
    }
  });
});

describe("docker config paths", () => {
  it("reads $HOME/.docker/config.json when DOCKER_CONFIG is unset", async () => {
    const registry = await startRegistry({ mode: "basic" });
    try {
      const home = await tempDir("wkg-home-");
      await mkdir(join(home, ".docker"));
      const auth = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
      await writeFile(join(home, ".docker", "config.json"), JSON.stringify({ auths: { [registry.registry]: { auth } } }));
      const client = new OciClient({ env: { HOME: home } });
      await client.push(`${registry.registry}/${uniqueRepo()}:1.0.0`, fakeComponent(100));
      await client.close();
    } finally {
      await registry.stop();
    }
  });
});
