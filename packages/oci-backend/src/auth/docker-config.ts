import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, WkgError, noopLogger } from "@wasm-pkg/common";
import { runCredentialHelper } from "./credential-helper.js";
import { type Credentials, basic, identityToken } from "./credentials.js";

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface DockerLookupOptions {
  env: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  signal?: AbortSignal;
  /** Helper timeout (a helper may prompt a keychain); default 30 s. */
  helperTimeoutMs?: number;
}

/** `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json` (USERPROFILE on Windows). */
export function dockerConfigPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, "config.json");
  const home = env.HOME ?? env.USERPROFILE;
  return home ? join(home, ".docker", "config.json") : undefined;
}

/** Docker's key normalisation: no scheme, no path, and every Docker Hub alias is `index.docker.io`. */
export function normalizeDockerKey(key: string): string {
  let host = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  host = host.replace(/\/.*$/, "").toLowerCase();
  if (host === "docker.io" || host === "registry-1.docker.io") return "index.docker.io";
  return host;
}

function isDockerHub(registry: string): boolean {
  return normalizeDockerKey(registry) === "index.docker.io";
}

/**
 * Credentials for `registry` from the Docker config, in Docker's order: `credHelpers[host]`,
 * then `auths[host]` (identity token, then `auth`, then username/password), then
 * `credsStore`. Keys match with or without `https://` (upstream v0.8.3 missed bare hosts).
 * Identity tokens are supported (upstream refuses them). Returns undefined when nothing applies.
 */
export async function dockerCredentials(registry: string, options: DockerLookupOptions): Promise<Credentials | undefined> {
  const logger = options.logger ?? noopLogger;
  const path = dockerConfigPath(options.env);
  if (!path) return undefined;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    logger({ type: "debug", message: `cannot read Docker config ${path}: ${(error as Error).message}` });
    return undefined;
  }
  let config: DockerConfigFile;
  try {
    config = JSON.parse(text) as DockerConfigFile;
  } catch (error) {
    throw new WkgError("CREDENTIALS", `invalid Docker config ${path}: ${(error as Error).message}`, {
      hint: "fix the JSON, or point DOCKER_CONFIG at another directory",
    });
  }
  const wanted = normalizeDockerKey(registry);
  const find = <T>(record: Record<string, T> | undefined): T | undefined => {
    if (!record) return undefined;
    if (record[registry] !== undefined) return record[registry];
    for (const [key, value] of Object.entries(record)) if (normalizeDockerKey(key) === wanted) return value;
    return undefined;
  };
  // Docker stores Hub credentials under its v1 URL, and that is what helpers are asked for.
  const serverName = isDockerHub(registry) ? "https://index.docker.io/v1/" : registry;

  const helper = find(config.credHelpers);
  if (helper) return runHelper(helper, serverName, path, options);

  const entry = find(config.auths);
  if (entry) {
    const source = `Docker config ${path}`;
    if (entry.identitytoken) return identityToken(entry.identitytoken, source, entry.username);
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) {
        throw new WkgError("CREDENTIALS", `invalid \`auth\` for ${registry} in Docker config ${path}: expected base64 of user:password`, {
          hint: `run \`wkg login ${registry}\` (or \`docker login\`) again`,
        });
      }
      return basic(decoded.slice(0, colon), decoded.slice(colon + 1), source);
    }
    if (entry.username && entry.password) return basic(entry.username, entry.password, source);
  }
  if (config.credsStore) return runHelper(config.credsStore, serverName, path, options);
  return undefined;
}

/** Run `docker-credential-<name> get` with the server on stdin, per the credential-helper protocol. */
async function runHelper(name: string, server: string, configPath: string, options: DockerLookupOptions): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  const source = `${program} (from ${configPath})`;
  const result = await runCredentialHelper({
    name,
    action: "get",
    input: server,
    configPath,
    env: options.env,
    signal: options.signal,
    timeoutMs: options.helperTimeoutMs,
  });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.code !== 0) {
    // The protocol's "no credentials" answer: not an error, just nothing stored for this server.
    if (/credentials not found/i.test(output)) {
      options.logger?.({ type: "debug", message: `${program} has no credentials for ${server}` });
      return undefined;
    }
    throw new WkgError(
      "CREDENTIALS",
      `credential helper ${program} failed for ${server} (exit ${result.code}): ${result.stderr.trim().slice(0, 200)}`,
      {
        hint: `check that ${program} works: \`echo ${server} | ${program} get\``,
      },
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    throw new WkgError("CREDENTIALS", `credential helper ${program} printed something that is not JSON for ${server}`);
  }
  if (typeof parsed.Secret !== "string" || parsed.Secret === "") return undefined;
  const username = typeof parsed.Username === "string" ? parsed.Username : "";
  if (username === "<token>") return identityToken(parsed.Secret, source);
  return basic(username, parsed.Secret, source);
}
