import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { type Logger, WkgError, registerSecret } from "@wasm-pkg/common";
import { PrivateKey } from "./protocol/keys.js";

type Env = Readonly<Record<string, string | undefined>>;

/** `[registry."<name>".warg]`, validated. */
export interface WargSettings {
  /** `config_file`: warg's own client config, resolved against the cwd. */
  configFile?: string;
  /** `auth_token`: sent as `Authorization: Bearer` on API requests. */
  authToken?: string;
  /** `signing_key`: `ecdsa-p256:<base64 scalar>`. */
  signingKey?: PrivateKey;
  /** `state_dir` (ours, not upstream's): where verified checkpoints are kept. */
  stateDir?: string;
}

const KNOWN_KEYS = new Set(["config_file", "auth_token", "signing_key", "state_dir"]);

/** Validate the backend's config table; problems name the key and say what to write instead. */
export function parseWargSettings(raw: unknown, registry: string, cwd: string, logger: Logger): WargSettings {
  const where = `[registry."${registry}".warg]`;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new WkgError("INVALID_CONFIG", `invalid config: ${where} must be a table`);
  }
  const table = raw as Record<string, unknown>;
  const str = (key: string): string | undefined => {
    const value = table[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "")
      throw new WkgError("INVALID_CONFIG", `invalid config: ${where} ${key} must be a non-empty string`);
    return value;
  };
  for (const key of Object.keys(table)) {
    if (!KNOWN_KEYS.has(key))
      logger({ type: "warn", message: `ignoring unknown key ${key} in ${where}`, hint: `known keys: ${[...KNOWN_KEYS].join(", ")}` });
  }
  const settings: WargSettings = {};
  const configFile = str("config_file");
  if (configFile) settings.configFile = resolve(cwd, configFile);
  const authToken = str("auth_token");
  if (authToken) {
    registerSecret(authToken);
    settings.authToken = authToken;
  }
  const signingKey = str("signing_key");
  if (signingKey) {
    registerSecret(signingKey);
    try {
      settings.signingKey = PrivateKey.parse(signingKey, "signing key");
    } catch (error) {
      // The message never repeats the key itself (and it is registered as a secret anyway).
      throw new WkgError("INVALID_CONFIG", `invalid config: invalid signing key in ${where}: ${(error as Error).message}`, {
        hint: "signing_key must be `ecdsa-p256:<base64 of a 32-byte P-256 private scalar>`, as `warg key new` prints it",
      });
    }
  }
  const stateDir = str("state_dir");
  if (stateDir) settings.stateDir = resolve(cwd, stateDir);
  return settings;
}

/** warg's client config file (`warg-config.json`), the fields wkg acts on. */
export interface WargClientConfig {
  /** The file it came from, if any. */
  path?: string;
  homeUrl?: string;
  registriesDir?: string;
  contentDir?: string;
  namespaceMapPath?: string;
  keys?: string[];
  keyringAuth?: boolean;
  ignoreFederationHints?: boolean;
  disableAutoAcceptFederationHints?: boolean;
  disableAutoPackageInit?: boolean;
  disableInteractive?: boolean;
  keyringBackend?: string;
}

/** `dirs::config_dir()`: `%APPDATA%`, `~/Library/Application Support`, or `$XDG_CONFIG_HOME`/`~/.config`. */
export function wargConfigDir(env: Env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === "win32") return env.APPDATA;
  const home = env.HOME ?? safeHome();
  if (platform === "darwin") return home ? join(home, "Library", "Application Support") : undefined;
  if (env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)) return env.XDG_CONFIG_HOME;
  return home ? join(home, ".config") : undefined;
}

/** Default state dir: `<cache dir>/wasm-pkg/warg`, the cache dir chosen as `@wasm-pkg/config` does. */
export function defaultStateDir(env: Env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === "win32") return env.LOCALAPPDATA ? join(env.LOCALAPPDATA, "wasm-pkg", "warg") : undefined;
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, "wasm-pkg", "warg");
  const home = env.HOME ?? safeHome();
  return home ? join(home, ".cache", "wasm-pkg", "warg") : undefined;
}

function safeHome(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw new WkgError("CONFIG_IO", `cannot read warg config ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Load warg's client config: `config_file` when given (it must exist), else
 * `warg-config.json` in the cwd or an ancestor, else `<config dir>/warg/config.json`,
 * else defaults. Relative `registriesDir`/`contentDir` are relative to the file, as in warg.
 */
export async function loadWargClientConfig(
  explicit: string | undefined,
  cwd: string,
  env: Env,
  platform = process.platform,
): Promise<WargClientConfig> {
  let path: string | undefined;
  let text: string | undefined;
  if (explicit) {
    path = explicit;
    text = await readIfExists(explicit);
    if (text === undefined) {
      throw new WkgError("CONFIG_IO", `warg config file ${explicit} does not exist`, {
        hint: "fix config_file in the registry's [registry.\"<name>\".warg] table, or remove it to use warg's default lookup",
      });
    }
  } else {
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
      const candidate = join(dir, "warg-config.json");
      text = await readIfExists(candidate);
      if (text !== undefined) {
        path = candidate;
        break;
      }
      if (dirname(dir) === dir) break;
    }
    const configDir = wargConfigDir(env, platform);
    if (text === undefined && configDir) {
      const candidate = join(configDir, "warg", "config.json");
      text = await readIfExists(candidate);
      if (text !== undefined) path = candidate;
    }
  }
  if (text === undefined || path === undefined) return {};
  return parseWargClientConfig(text, path);
}

export function parseWargClientConfig(text: string, path: string): WargClientConfig {
  const fail = (reason: string): never => {
    throw new WkgError("INVALID_CONFIG", `invalid warg config ${path}: ${reason}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return fail("expected a JSON object");
  const d = doc as Record<string, unknown>;
  const out: WargClientConfig = { path };
  const base = dirname(path);
  for (const key of ["homeUrl", "registriesDir", "contentDir", "namespaceMapPath", "keyringBackend"] as const) {
    const value = d[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") fail(`${key} must be a string`);
    out[key] = value as string;
  }
  for (const key of [
    "keyringAuth",
    "ignoreFederationHints",
    "disableAutoAcceptFederationHints",
    "disableAutoPackageInit",
    "disableInteractive",
  ] as const) {
    const value = d[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "boolean") fail(`${key} must be true or false`);
    out[key] = value as boolean;
  }
  if (d.keys !== undefined && d.keys !== null) {
    if (!Array.isArray(d.keys) || d.keys.some((k) => typeof k !== "string")) fail("keys must be a list of registry names");
    out.keys = d.keys as string[];
  }
  if (out.registriesDir) out.registriesDir = resolve(base, out.registriesDir);
  if (out.contentDir) out.contentDir = resolve(base, out.contentDir);
  return out;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * warg's registry URL rules: no scheme means https; plain http only to loopback hosts;
 * the base always ends with `/`, so API paths resolve under a path prefix.
 */
export function normalizeWargUrl(text: string, source: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new WkgError("INVALID_REGISTRY", `invalid warg registry URL ${JSON.stringify(text)} (${source})`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new WkgError(
      "INVALID_REGISTRY",
      `invalid warg registry URL ${JSON.stringify(text)} (${source}): only http and https are supported`,
    );
  }
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) {
    throw new WkgError(
      "INVALID_REGISTRY",
      `refusing plain http to ${url.host} (${source}): warg registries need https except on localhost`,
      {
        hint: `use https://${url.host}${url.pathname === "/" ? "" : url.pathname}`,
      },
    );
  }
  if (url.username || url.password)
    throw new WkgError("INVALID_REGISTRY", `warg registry URL must not carry credentials (${source}); use auth_token`);
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

/** Upstream §7.1: metadata `warg.url`, else `http://<registry>` on localhost/127.0.0.1, else `https://<registry>`. */
export function registryUrl(registry: string, protocolMetadata: unknown): { url: URL; fromMetadata: boolean } {
  if (protocolMetadata !== undefined && protocolMetadata !== null) {
    if (typeof protocolMetadata !== "object" || Array.isArray(protocolMetadata)) {
      throw new WkgError("INVALID_REGISTRY_METADATA", `invalid registry metadata of ${registry}: the warg block must be an object`);
    }
    const url = (protocolMetadata as Record<string, unknown>).url;
    if (url !== undefined) {
      if (typeof url !== "string" || url === "")
        throw new WkgError("INVALID_REGISTRY_METADATA", `invalid registry metadata of ${registry}: warg.url must be a string`);
      return { url: normalizeWargUrl(url, `warg.url in the registry metadata of ${registry}`), fromMetadata: true };
    }
  }
  const host = registry.replace(/:\d+$/, "").toLowerCase();
  const scheme = host === "localhost" || host === "127.0.0.1" ? "http" : "https";
  return { url: normalizeWargUrl(`${scheme}://${registry}`, `registry ${registry}`), fromMetadata: false };
}
