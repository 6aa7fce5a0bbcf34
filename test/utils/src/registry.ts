import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeSelfSignedCert } from "./certs.js";
import { ensureCommands } from "./debian.js";
import { type TokenServer, type TokenServerOptions, startTokenServer } from "./token-server.js";

/**
 * The real OCI registry for integration tests: Debian's `docker-registry` (CNCF
 * distribution 2.8) on 127.0.0.1 and a port the kernel picks, in a temp directory, with
 * our own config (never the Debian default, whose htpasswd path is a directory).
 *
 *   open   no auth
 *   basic  htpasswd (bcrypt) Basic auth; credentials in `username`/`password`
 *   token  Bearer token auth against a token server of ours (anonymous pull allowed by default)
 *   tls    https with a self-signed certificate (`caCert`); `tls: true` adds TLS to basic or token
 *
 * Every registry is stopped by `stop()`, on process exit, and, should the test process be
 * killed outright, by its wrapper shell noticing that its stdin pipe closed.
 */
export type RegistryMode = "open" | "basic" | "token" | "tls";

export interface StartRegistryOptions {
  mode?: RegistryMode;
  /** Serve https (implied by mode "tls"). */
  tls?: boolean;
  /** Token mode: options for the token server (users, anonymous actions, lifetime, ...). */
  token?: Partial<Omit<TokenServerOptions, "signer">>;
}

export interface TestRegistry {
  mode: RegistryMode;
  /** `127.0.0.1:PORT`: the registry name / OCI host. */
  registry: string;
  /** `http(s)://127.0.0.1:PORT` */
  url: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
  /** Token mode: a Docker identity token the token server accepts for `username`. */
  identityToken?: string;
  /** PEM of the self-signed server certificate (https registries). */
  caCert?: string;
  caCertPath?: string;
  tokenServer?: TokenServer;
  /** The registry's work directory (config, storage, log). */
  dir: string;
  /** The registry's log so far (useful in failure messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export const TEST_USERNAME = "wkg-tester";
export const TEST_PASSWORD = "wkg-test-password";
const IDENTITY_TOKEN = "wkg-test-identity-token-0123456789";
const HTPASSWD = fileURLToPath(new URL("../fixtures/htpasswd", import.meta.url));

const running = new Set<{ wrapper: ChildProcess; pid?: number }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const r of running) {
      if (r.pid) safeKill(r.pid, "SIGKILL");
      r.wrapper.kill("SIGKILL");
    }
  });
}

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const mode = options.mode ?? "open";
  const tls = mode === "tls" || options.tls === true;
  await ensureCommands(tls || mode === "token" ? ["docker-registry", "openssl"] : ["docker-registry"]);
  const dir = await mkdtemp(join(tmpdir(), `wkg-registry-${mode}-`));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  };

  try {
    const config: string[] = [
      "version: 0.1",
      "log:",
      "  level: info",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "storage")}`,
      "  delete:",
      "    enabled: true",
      "  maintenance:",
      "    uploadpurging:",
      "      enabled: false",
      "http:",
      "  addr: 127.0.0.1:0",
      "  secret: wkg-test-secret-not-for-production",
    ];
    const result: Partial<TestRegistry> = { mode, tls, dir };

    if (tls) {
      const cert = await makeSelfSignedCert(dir, { name: "tls" });
      config.push("  tls:", `    certificate: ${cert.certPath}`, `    key: ${cert.keyPath}`);
      result.caCert = cert.cert;
      result.caCertPath = cert.certPath;
    }

    if (mode === "basic") {
      const path = join(dir, "htpasswd");
      await writeFile(path, await readFile(HTPASSWD));
      config.push("auth:", "  htpasswd:", "    realm: wkg-test-realm", `    path: ${path}`);
      result.username = TEST_USERNAME;
      result.password = TEST_PASSWORD;
    } else if (mode === "token") {
      const signer = await makeSelfSignedCert(dir, { name: "signer", kind: "rsa", commonName: "wkg-test-token-signer" });
      const tokenServer = await startTokenServer({
        signer,
        users: { [TEST_USERNAME]: TEST_PASSWORD },
        identityTokens: { [IDENTITY_TOKEN]: TEST_USERNAME },
        ...options.token,
      });
      cleanups.push(() => tokenServer.close());
      config.push(
        "auth:",
        "  token:",
        `    realm: ${tokenServer.realm}`,
        `    service: ${tokenServer.service}`,
        `    issuer: ${tokenServer.issuer}`,
        `    rootcertbundle: ${signer.certPath}`,
      );
      result.tokenServer = tokenServer;
      result.username = TEST_USERNAME;
      result.password = TEST_PASSWORD;
      result.identityToken = IDENTITY_TOKEN;
    }

    const configPath = join(dir, "config.yml");
    const logPath = join(dir, "registry.log");
    await mkdir(join(dir, "storage"), { recursive: true });
    await writeFile(configPath, `${config.join("\n")}\n`);

    // The wrapper starts the registry, prints its pid, and kills it when its stdin closes:
    // that happens on stop(), and also when this process dies without running any hook.
    const script = 'docker-registry serve "$1" >"$2" 2>&1 & pid=$!; echo "$pid"; read _ignored; kill "$pid" 2>/dev/null; wait "$pid"';
    const wrapper = spawn("sh", ["-c", script, "wkg-registry", configPath, logPath], { stdio: ["pipe", "pipe", "ignore"] });
    const entry: { wrapper: ChildProcess; pid?: number } = { wrapper };
    running.add(entry);
    installExitHook();
    const exited = new Promise<void>((resolve) => wrapper.once("exit", () => resolve()));
    cleanups.push(async () => {
      wrapper.stdin?.end();
      const timer = setTimeout(() => {
        if (entry.pid) safeKill(entry.pid, "SIGKILL");
        wrapper.kill("SIGKILL");
      }, 5_000);
      await exited;
      clearTimeout(timer);
      running.delete(entry);
    });
    entry.pid = await firstLineNumber(wrapper);

    const port = await waitForPort(logPath, exited);
    const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
    await waitForReady(url);
    const registry: TestRegistry = {
      ...(result as TestRegistry),
      registry: `127.0.0.1:${port}`,
      url,
      port,
      log: () => readFile(logPath, "utf8").catch(() => ""),
      stop: cleanup,
    };
    return registry;
  } catch (error) {
    const log = await readFile(join(dir, "registry.log"), "utf8").catch(() => "");
    await cleanup();
    throw new Error(`could not start the ${mode} test registry: ${(error as Error).message}${log ? `\nregistry log:\n${log}` : ""}`, {
      cause: error,
    });
  }
}

function firstLineNumber(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const newline = text.indexOf("\n");
      if (newline >= 0) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve(Number(text.slice(0, newline).trim()));
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", () => reject(new Error("the registry wrapper exited before starting the registry")));
    child.once("error", reject);
  });
}

async function waitForPort(logPath: string, exited: Promise<void>): Promise<number> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const log = await readFile(logPath, "utf8").catch(() => "");
    const match = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
    if (match) return Number(match[1]);
    if (done) throw new Error("docker-registry exited during start-up");
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("docker-registry did not report its port within 20 s");
}

/** Poll `GET /v2/` until the registry answers anything (200, or 401 with auth). */
async function waitForReady(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await probe(`${url}/v2/`).catch(() => 0);
    if (status === 200 || status === 401) return;
    if (Date.now() > deadline) throw new Error(`${url}/v2/ did not answer within 20 s (last status ${status})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith("https:") ? httpsRequest : httpRequest;
    const req = request(url, { method: "GET", rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}
