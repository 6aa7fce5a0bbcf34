import { readFile } from "node:fs/promises";
import { WkgError, writeFileAtomic } from "@wasm-pkg/common";
import { runCredentialHelper } from "./credential-helper.js";
import { dockerConfigPath, normalizeDockerKey } from "./docker-config.js";

export interface DockerWriteOptions {
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
  helperTimeoutMs?: number;
}

/** Where `store`/`erase` put or removed the credentials: the config file itself, or a helper. */
export type CredentialStore = { kind: "file"; path: string } | { kind: "helper"; program: string; path: string };

type JsonObject = Record<string, unknown>;

/**
 * The key Docker files a registry under: the bare host (`ghcr.io`, `127.0.0.1:5000`), except
 * Docker Hub, which is kept under its v1 URL (what `docker login` writes and helpers are asked for).
 */
export function dockerServerKey(registry: string): string {
  const host = normalizeDockerKey(registry);
  return host === "index.docker.io" ? "https://index.docker.io/v1/" : host;
}

/**
 * Store `username`/`password` for `registry` where docker, podman, skopeo and oras read them:
 * the helper `credHelpers[host]` names, else the `credsStore` helper, else `auths` in the
 * config file (base64 `user:password`). The file is rewritten atomically, mode 0600, with every
 * other entry and key kept as it was.
 */
export async function storeDockerCredentials(
  registry: string,
  credentials: { username: string; password: string },
  options: DockerWriteOptions,
): Promise<CredentialStore> {
  const { path, config } = await readConfig(options.env);
  const server = dockerServerKey(registry);
  const helper = helperFor(config, registry);
  if (helper) {
    const input = JSON.stringify({ ServerURL: server, Username: credentials.username, Secret: credentials.password });
    const result = await runCredentialHelper({ ...helperRun(helper, path, options), action: "store", input });
    if (result.code !== 0) {
      throw new WkgError(
        "CREDENTIALS",
        `credential helper ${result.program} could not store credentials for ${server} (exit ${result.code}): ${result.stderr.trim().slice(0, 200)}`,
        { hint: `check that ${result.program} works, or remove it from ${path} (credHelpers/credsStore)` },
      );
    }
    return { kind: "helper", program: result.program, path };
  }
  const auths = objectAt(config, "auths", path);
  // One entry per registry: an older spelling of the same host (`https://host`) is replaced, not duplicated.
  for (const key of matchingKeys(auths, registry)) delete auths[key];
  auths[server] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64") };
  config.auths = auths;
  await writeConfig(path, config);
  return { kind: "file", path };
}

/**
 * Remove what is stored for `registry`: the helper's `erase`, and every `auths` key that names the
 * same host. Returns undefined when nothing was stored (as `docker logout`, not an error).
 */
export async function eraseDockerCredentials(registry: string, options: DockerWriteOptions): Promise<CredentialStore | undefined> {
  const { path, config, exists } = await readConfig(options.env);
  if (!exists) return undefined;
  const server = dockerServerKey(registry);
  let erased: CredentialStore | undefined;
  const helper = helperFor(config, registry);
  if (helper) {
    const result = await runCredentialHelper({ ...helperRun(helper, path, options), action: "erase", input: server });
    if (result.code === 0) erased = { kind: "helper", program: result.program, path };
    else if (!/credentials not found/i.test(`${result.stdout}\n${result.stderr}`)) {
      throw new WkgError(
        "CREDENTIALS",
        `credential helper ${result.program} could not erase credentials for ${server} (exit ${result.code}): ${result.stderr.trim().slice(0, 200)}`,
        { hint: `check that ${result.program} works, or remove it from ${path} (credHelpers/credsStore)` },
      );
    }
  }
  const auths = config.auths === undefined ? undefined : objectAt(config, "auths", path);
  const keys = auths ? matchingKeys(auths, registry) : [];
  if (auths && keys.length) {
    for (const key of keys) delete auths[key];
    await writeConfig(path, config);
    erased ??= { kind: "file", path };
  }
  return erased;
}

async function readConfig(env: DockerWriteOptions["env"]): Promise<{ path: string; config: JsonObject; exists: boolean }> {
  const path = dockerConfigPath(env);
  if (!path) {
    throw new WkgError("CREDENTIALS", "cannot tell where the Docker config is: neither DOCKER_CONFIG nor HOME is set", {
      hint: "set DOCKER_CONFIG to the directory that holds (or should hold) config.json",
    });
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { path, config: {}, exists: false };
    throw new WkgError("CREDENTIALS", `cannot read Docker config ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    // Rewriting a file we cannot parse would lose whatever else it holds.
    throw new WkgError("CREDENTIALS", `invalid Docker config ${path}: ${(error as Error).message}`, {
      hint: "fix the JSON (nothing was changed), or point DOCKER_CONFIG at another directory",
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new WkgError("CREDENTIALS", `invalid Docker config ${path}: expected a JSON object`, {
      hint: "fix the file (nothing was changed), or point DOCKER_CONFIG at another directory",
    });
  }
  return { path, config: parsed as JsonObject, exists: true };
}

function objectAt(config: JsonObject, key: string, path: string): JsonObject {
  const value = config[key];
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new WkgError("CREDENTIALS", `invalid Docker config ${path}: \`${key}\` must be an object`, {
      hint: "fix the file (nothing was changed)",
    });
  }
  return value as JsonObject;
}

function matchingKeys(record: JsonObject, registry: string): string[] {
  const wanted = normalizeDockerKey(registry);
  return Object.keys(record).filter((key) => normalizeDockerKey(key) === wanted);
}

/** The helper that holds this registry's credentials: `credHelpers[host]` first, then `credsStore`. */
function helperFor(config: JsonObject, registry: string): string | undefined {
  const helpers = config.credHelpers;
  if (typeof helpers === "object" && helpers !== null && !Array.isArray(helpers)) {
    for (const key of matchingKeys(helpers as JsonObject, registry)) {
      const name = (helpers as JsonObject)[key];
      if (typeof name === "string" && name) return name;
    }
  }
  return typeof config.credsStore === "string" && config.credsStore ? config.credsStore : undefined;
}

function helperRun(name: string, configPath: string, options: DockerWriteOptions) {
  return { name, configPath, env: options.env, signal: options.signal, timeoutMs: options.helperTimeoutMs };
}

async function writeConfig(path: string, config: JsonObject): Promise<void> {
  // Tabs, as docker writes it; 0600 because `auth` is a password in base64.
  await writeFileAtomic(path, `${JSON.stringify(config, null, "\t")}\n`, { mode: 0o600 });
}
