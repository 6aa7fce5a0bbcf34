import { afterAll, describe, expect, it } from "vitest";
import { request } from "node:https";
import { startRegistry, type TestRegistry } from "../src/index.js";

const started: TestRegistry[] = [];
afterAll(async () => {
  await Promise.all(started.map((r) => r.stop()));
});

async function start(...args: Parameters<typeof startRegistry>): Promise<TestRegistry> {
  const registry = await startRegistry(...args);
  started.push(registry);
  return registry;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("startRegistry", () => {
  it("serves an open registry on a 127.0.0.1 port and stops it", async () => {
    const registry = await start({ mode: "open" });
    expect(registry.registry).toMatch(/^127\.0\.0\.1:\d+$/);
    const response = await fetch(`${registry.url}/v2/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    await registry.stop();
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
  });

  it("asks for Basic auth and accepts the fixture credentials", async () => {
    const registry = await start({ mode: "basic" });
    const anonymous = await fetch(`${registry.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    const basic = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
    expect((await fetch(`${registry.url}/v2/`, { headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
    const wrong = Buffer.from(`${registry.username}:nope`).toString("base64");
    expect((await fetch(`${registry.url}/v2/`, { headers: { authorization: `Basic ${wrong}` } })).status).toBe(401);
  });

  it("runs a token registry whose tokens the registry accepts", async () => {
    const registry = await start({ mode: "token" });
    const challenge = await fetch(`${registry.url}/v2/wasi/x/tags/list`);
    expect(challenge.status).toBe(401);
    const header = challenge.headers.get("www-authenticate") ?? "";
    expect(header).toContain(`realm="${registry.tokenServer?.realm}"`);
    expect(header).toContain('scope="repository:wasi/x:pull"');

    const basic = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
    const tokenUrl = `${registry.tokenServer?.realm}?service=${registry.tokenServer?.service}&scope=repository:wasi/x:pull,push`;
    const { token } = (await (await fetch(tokenUrl, { headers: { authorization: `Basic ${basic}` } })).json()) as { token: string };
    const listed = await fetch(`${registry.url}/v2/wasi/x/tags/list`, { headers: { authorization: `Bearer ${token}` } });
    // Authorized, so the answer is about the (missing) repository, not about auth.
    expect(listed.status).toBe(404);
    expect(await listed.text()).toContain("NAME_UNKNOWN");

    registry.tokenServer?.breakNextTokens(1);
    const { token: bad } = (await (await fetch(tokenUrl, { headers: { authorization: `Basic ${basic}` } })).json()) as { token: string };
    const refused = await fetch(`${registry.url}/v2/wasi/x/tags/list`, { headers: { authorization: `Bearer ${bad}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("serves https with a certificate that the returned CA verifies", async () => {
    const registry = await start({ mode: "tls" });
    expect(registry.url.startsWith("https://127.0.0.1:")).toBe(true);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${registry.url}/v2/`, { ca: registry.caCert }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
  });

  it("stops the registry process when the wrapper's stdin closes", async () => {
    const registry = await start({ mode: "open" });
    const log = await registry.log();
    expect(log).toContain("listening on");
    // The wrapper printed the registry pid; find it through /proc by its config path.
    const { readdirSync, readFileSync } = await import("node:fs");
    const pids = readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(registry.dir);
        } catch {
          return false;
        }
      })
      .map(Number)
      .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("docker-registry"));
    expect(pids).toHaveLength(1);
    await registry.stop();
    expect(alive(pids[0] as number)).toBe(false);
  });
});

describe("startRegistry when the test process dies", () => {
  it("leaves no registry running after its parent is killed with SIGKILL", async () => {
    const { spawn } = await import("node:child_process");
    const { existsSync, readdirSync, readFileSync } = await import("node:fs");
    const { fileURLToPath } = await import("node:url");
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    expect(existsSync(dist), `${dist} is missing: run the build first`).toBe(true);
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { startRegistry } = await import(${JSON.stringify(dist)}); const r = await startRegistry({ mode: "open" }); console.log(r.dir); setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const dir = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("\n")) resolve(out.trim());
      });
      child.on("exit", () => reject(new Error("the child exited early")));
    });
    const registryPids = () =>
      readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
            return cmd.startsWith("docker-registry") && cmd.includes(dir);
          } catch {
            return false;
          }
        });
    expect(registryPids()).toHaveLength(1);
    child.kill("SIGKILL");
    const deadline = Date.now() + 10_000;
    while (registryPids().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(registryPids()).toEqual([]);
    const { rm } = await import("node:fs/promises");
    await rm(dir, { recursive: true, force: true });
  });
});
