import { WkgError, registerSecret } from "@wasm-pkg/common";

/**
 * Credentials for one registry. `source` says where they came from, for messages (never
 * the secret itself). An identity token is Docker's OAuth2 refresh token (`docker login`
 * against registries that issue them, `<token>` from credential helpers).
 */
export type Credentials =
  | { kind: "anonymous" }
  | { kind: "basic"; username: string; password: string; source: string }
  | { kind: "bearer"; token: string; source: string }
  | { kind: "identity-token"; username?: string; token: string; source: string };

export const ANONYMOUS: Credentials = { kind: "anonymous" };

export function basic(username: string, password: string, source: string): Credentials {
  registerSecret(password);
  return { kind: "basic", username, password, source };
}

export function bearer(token: string, source: string): Credentials {
  registerSecret(token);
  return { kind: "bearer", token, source };
}

export function identityToken(token: string, source: string, username?: string): Credentials {
  registerSecret(token);
  return { kind: "identity-token", token, source, ...(username ? { username } : {}) };
}

/**
 * The env var upstream reads for a bearer token: `WKG_REGISTRY_<HOST>_AUTH_BEARER`, where
 * HOST is the OCI registry actually contacted, non-alphanumerics as `_`, upper-cased.
 */
export function bearerEnvVar(registry: string): string {
  return `WKG_REGISTRY_${registry.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}_AUTH_BEARER`;
}

export function bearerFromEnv(registry: string, env: Readonly<Record<string, string | undefined>>): Credentials | undefined {
  const name = bearerEnvVar(registry);
  const value = env[name];
  return value ? bearer(value, name) : undefined;
}

/**
 * The `auth` value of `[registry."x".oci]`: a table `{ username, password }` or a base64
 * `user:pass` string (standard alphabet, padding optional), as upstream.
 */
export function parseConfigAuth(value: unknown, where: string): Credentials {
  if (typeof value === "string") {
    const text = value.trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
      throw new WkgError("INVALID_CONFIG", `${where}: invalid base64-encoded creds`, {
        hint: '`auth` is base64 of `username:password`, or a table `{ username = "…", password = "…" }`',
      });
    }
    const decoded = Buffer.from(text, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) {
      throw new WkgError("INVALID_CONFIG", `${where}: expected <username>:<password> but no ':' found`, {
        hint: "encode `username:password`, e.g. `printf 'user:pass' | base64`",
      });
    }
    return basic(decoded.slice(0, colon), decoded.slice(colon + 1), where);
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const table = value as Record<string, unknown>;
    const unknown = Object.keys(table).filter((k) => k !== "username" && k !== "password");
    if (unknown.length) {
      throw new WkgError("INVALID_CONFIG", `${where}: unknown key ${JSON.stringify(unknown[0])} in auth`, {
        hint: "`auth` takes `username` and `password`",
      });
    }
    if (typeof table.username !== "string" || typeof table.password !== "string") {
      throw new WkgError("INVALID_CONFIG", `${where}: auth needs both \`username\` and \`password\` as strings`);
    }
    return basic(table.username, table.password, where);
  }
  throw new WkgError("INVALID_CONFIG", `${where}: \`auth\` must be a base64 string or a table { username, password }`);
}

/** A lazy, memoised credential lookup: Docker helpers are only run when a registry asks. */
export type CredentialSource = () => Promise<Credentials>;

export function describeCredentials(credentials: Credentials): string {
  switch (credentials.kind) {
    case "anonymous":
      return "no credentials";
    case "basic":
      return `user ${credentials.username} (from ${credentials.source})`;
    case "bearer":
      return `a bearer token (from ${credentials.source})`;
    case "identity-token":
      return `an identity token (from ${credentials.source})`;
  }
}
