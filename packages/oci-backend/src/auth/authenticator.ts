import { type Logger, WkgError, isLoopbackHost, noopLogger, redactUrl, registerSecret } from "@wasm-pkg/common";
import { type HttpClient, readTextCapped } from "@wasm-pkg/http";
import { type Challenge, challengeScopes, mergeScopes, parseChallenges } from "./challenge.js";
import { ANONYMOUS, type CredentialSource, type Credentials, describeCredentials } from "./credentials.js";

/** What a request needs: pull (read) or pull+push on one repository; none for `/v2/`. */
export interface Scope {
  repository: string;
  push?: boolean;
}

export function scopeString(scope: Scope): string {
  return `repository:${scope.repository}:${scope.push ? "pull,push" : "pull"}`;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface AuthenticatorOptions {
  /** `host[:port]` of the registry, for messages. */
  registry: string;
  /** `https://host` or `http://host`, as currently used: token realms on plain http are refused for https registries. */
  origin: () => string;
  credentials: CredentialSource;
  http: HttpClient;
  logger?: Logger;
  now?: () => number;
}

/**
 * Authorization for one registry, learned from its challenges:
 * - none until a 401 says otherwise (open registries never see credentials);
 * - Basic: the configured user and password on every request;
 * - Bearer: a token from the challenge's realm per scope, with `service` and `scope`,
 *   reused until it expires, fetched again once when the registry rejects it.
 * Static bearer tokens (WKG_REGISTRY_*_AUTH_BEARER) are sent as they are.
 */
export class Authenticator {
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken | undefined>>();
  private credentialsPromise: Promise<Credentials> | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.logger = options.logger ?? noopLogger;
    this.now = options.now ?? Date.now;
  }

  credentials(): Promise<Credentials> {
    this.credentialsPromise ??= this.options.credentials().catch((error: unknown) => {
      this.credentialsPromise = undefined;
      throw error;
    });
    return this.credentialsPromise;
  }

  /** The Authorization header to send up front, or undefined (no challenge seen yet, or anonymous). */
  async authorize(scope: Scope | undefined, signal?: AbortSignal): Promise<string | undefined> {
    const credentials = await this.credentials();
    if (credentials.kind === "bearer") return `Bearer ${credentials.token}`;
    const challenge = this.challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === "basic") return basicHeader(credentials);
    if (challenge.scheme === "bearer") {
      const wanted = scope ? [scopeString(scope)] : [];
      const cached = this.cachedToken(wanted);
      if (cached) return `Bearer ${cached}`;
      const fresh = await this.fetchToken(challenge, wanted, signal);
      return fresh ? `Bearer ${fresh.token}` : undefined;
    }
    return undefined;
  }

  /**
   * After a 401: learn the challenge and return the header to retry with, or undefined when
   * retrying cannot help (no usable credentials, or a fresh token was already refused).
   */
  async onUnauthorized(
    response: Response,
    scope: Scope | undefined,
    sent: string | undefined,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const challenges = parseChallenges(response.headers.get("www-authenticate"));
    const challenge = challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
    if (!challenge) return undefined;
    this.challenge = challenge;
    const credentials = await this.credentials();
    if (credentials.kind === "bearer") return undefined;
    if (challenge.scheme === "basic") {
      const header = basicHeader(credentials);
      return header && header !== sent ? header : undefined;
    }
    const wanted = mergeScopes([...(scope ? [scopeString(scope)] : []), ...challengeScopes(challenge)]);
    const key = cacheKey(wanted);
    const had = sent?.startsWith("Bearer ") ? sent.slice("Bearer ".length) : undefined;
    // Whatever token we sent was refused for this scope: forget it and ask the realm once more.
    for (const [k, v] of this.tokens) if (v.token === had || k === key) this.tokens.delete(k);
    const fresh = await this.fetchToken(challenge, wanted, signal);
    if (!fresh) return undefined;
    const header = `Bearer ${fresh.token}`;
    return header === sent ? undefined : header;
  }

  /** Describe the credentials in use (for error hints); never includes secrets. */
  async describe(): Promise<string> {
    return describeCredentials(await this.credentials());
  }

  private cachedToken(wanted: string[]): string | undefined {
    const now = this.now();
    const exact = this.tokens.get(cacheKey(wanted));
    if (exact && exact.expiresAt > now) return exact.token;
    // A pull,push token also serves pulls of the same repository.
    if (wanted.length === 1 && (wanted[0] as string).endsWith(":pull")) {
      const wider = this.tokens.get(cacheKey([`${(wanted[0] as string).slice(0, -":pull".length)}:pull,push`]));
      if (wider && wider.expiresAt > now) return wider.token;
    }
    return undefined;
  }

  private fetchToken(challenge: Challenge, scopes: string[], signal?: AbortSignal): Promise<CachedToken | undefined> {
    const key = cacheKey(scopes);
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.requestToken(challenge, scopes, signal).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  private async requestToken(challenge: Challenge, scopes: string[], signal?: AbortSignal): Promise<CachedToken | undefined> {
    const realmText = challenge.params.realm;
    if (!realmText) {
      throw new WkgError("UNAUTHORIZED", `${this.options.registry} sent a Bearer challenge without a realm`, {
        hint: "the registry's token auth is misconfigured",
      });
    }
    let realm: URL;
    try {
      realm = new URL(realmText, this.options.origin());
    } catch {
      throw new WkgError("UNAUTHORIZED", `${this.options.registry} sent an invalid token realm ${JSON.stringify(realmText)}`);
    }
    if (realm.protocol !== "https:" && realm.protocol !== "http:") {
      throw new WkgError("UNAUTHORIZED", `${this.options.registry} sent a token realm that is not http(s): ${redactUrl(realm)}`);
    }
    let credentials = await this.credentials();
    if (
      credentials.kind !== "anonymous" &&
      realm.protocol === "http:" &&
      this.options.origin().startsWith("https:") &&
      !isLoopbackHost(realm.hostname)
    ) {
      throw new WkgError(
        "CREDENTIALS",
        `refusing to send credentials for ${this.options.registry} to a plain-http token realm ${redactUrl(realm)}`,
        { hint: "the registry is served over https but asks for credentials over http; report it to the registry's operator" },
      );
    }
    const service = challenge.params.service;
    let response = await this.tokenRequest(realm, service, scopes, credentials, signal);
    if (response.status === 401 && credentials.kind !== "anonymous" && !scopes.some((s) => s.endsWith(",push"))) {
      // Stale credentials (a forgotten `docker login`) must not block pulling public packages.
      if (credentials.source.startsWith("Docker config") || credentials.source.startsWith("docker-credential-")) {
        this.logger({
          type: "warn",
          message: `the token server for ${this.options.registry} refused ${describeCredentials(credentials)}; trying anonymously`,
          hint: `run \`wkg login ${this.options.registry}\` (or \`docker login\`) again if you need private packages`,
        });
        await response.body?.cancel().catch(() => {});
        credentials = ANONYMOUS;
        response = await this.tokenRequest(realm, service, scopes, credentials, signal);
      }
    }
    if (response.status === 401 || response.status === 403) {
      const excerpt = await readTextCapped(response, 16 * 1024, "token error").catch(() => "");
      if (credentials.kind === "anonymous") return undefined;
      throw new WkgError(
        "UNAUTHORIZED",
        `the token server refused ${describeCredentials(credentials)} for ${this.options.registry}: ${response.status}${excerpt ? ` (${excerpt.trim().slice(0, 200)})` : ""}: ${response.method ?? "GET"} ${redactUrl(realm)}`,
        { hint: `check the username and password (or token) for ${this.options.registry}` },
      );
    }
    if (!response.ok) {
      const excerpt = await readTextCapped(response, 16 * 1024, "token error").catch(() => "");
      throw new WkgError(
        "UNAUTHORIZED",
        `could not get a token for ${this.options.registry}: ${response.status}${excerpt ? ` (${excerpt.trim().slice(0, 200)})` : ""}: GET ${redactUrl(realm)}`,
        {
          hint:
            response.status >= 500
              ? "the registry's token service failed; try again later"
              : "the registry's token service refused the request",
        },
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(await readTextCapped(response, 1024 * 1024, "token response")) as typeof body;
    } catch (error) {
      if (error instanceof WkgError) throw error;
      throw new WkgError("UNAUTHORIZED", `the token server for ${this.options.registry} sent invalid JSON: GET ${redactUrl(realm)}`);
    }
    const token =
      typeof body.token === "string" && body.token ? body.token : typeof body.access_token === "string" ? body.access_token : "";
    if (!token) throw new WkgError("UNAUTHORIZED", `the token server for ${this.options.registry} sent no token: GET ${redactUrl(realm)}`);
    registerSecret(token);
    // The spec's default lifetime is 60 s; refresh a little early, never later than half-way.
    const lifetimeS = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
    const marginMs = Math.min(10_000, (lifetimeS * 1000) / 2);
    const cached = { token, expiresAt: this.now() + lifetimeS * 1000 - marginMs };
    this.tokens.set(cacheKey(scopes), cached);
    return cached;
  }

  private async tokenRequest(
    realm: URL,
    service: string | undefined,
    scopes: string[],
    credentials: Credentials,
    signal?: AbortSignal,
  ): Promise<Response & { method?: string }> {
    if (credentials.kind === "identity-token") {
      // Docker's OAuth2 flow: the identity token is a refresh token.
      const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: credentials.token, client_id: "wkg" });
      if (service) form.set("service", service);
      if (scopes.length) form.set("scope", scopes.join(" "));
      const response = await this.options.http.request(realm, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
        retry: true,
        crossOriginRedirect: "error",
        ...(signal ? { signal } : {}),
      });
      return Object.assign(response, { method: "POST" });
    }
    const url = new URL(realm);
    if (service) url.searchParams.set("service", service);
    for (const scope of scopes) url.searchParams.append("scope", scope);
    const headers: Record<string, string> = {};
    if (credentials.kind === "basic") {
      url.searchParams.set("account", credentials.username);
      headers.authorization = basicHeader(credentials) as string;
    }
    return this.options.http.request(url, { headers, crossOriginRedirect: "error", ...(signal ? { signal } : {}) });
  }
}

function basicHeader(credentials: Credentials): string | undefined {
  if (credentials.kind !== "basic") return undefined;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
}

function cacheKey(scopes: string[]): string {
  return mergeScopes(scopes).join(" ");
}
