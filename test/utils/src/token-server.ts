import { X509Certificate, createPrivateKey, randomUUID, sign } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, startServer } from "./server.js";

/**
 * A Docker-style token server (the `auth.token.realm` of a token-auth registry), written
 * from the distribution token spec: `GET /token?service=&scope=` with optional Basic auth,
 * and the OAuth2 form `POST /token` (password and refresh_token grants, the latter being
 * how Docker identity tokens are exchanged). Tokens are RS256 JWTs whose key travels in `x5c`.
 */
export interface TokenServerOptions {
  /** The signer's PEM key and certificate; the registry's `rootcertbundle` must hold the certificate. */
  signer: { key: string; cert: string };
  issuer?: string;
  service?: string;
  /** username -> password. */
  users?: Record<string, string>;
  /** Docker identity (refresh) tokens -> username. */
  identityTokens?: Record<string, string>;
  /** What anonymous requests may do; `[]` refuses anonymous tokens (401). Default `["pull"]`. */
  anonymousActions?: string[];
  /** `expires_in` and the JWT lifetime; default 300 s. */
  lifetimeSeconds?: number;
  /** Which field(s) carry the token in the response; default both, as real token servers do. */
  responseFields?: "token" | "access_token" | "both";
}

export interface TokenRequest {
  method: string;
  /** The authenticated user, or undefined for an anonymous request. */
  user: string | undefined;
  scopes: string[];
  grantType?: string;
  /** Whether an Authorization header came with the request (whatever its validity). */
  hadAuthorization: boolean;
  status: number;
}

export interface TokenServer {
  url: string;
  /** The realm to put in the registry config: `<url>/token`. */
  realm: string;
  issuer: string;
  service: string;
  requests: TokenRequest[];
  /** Issue the next `n` tokens with a wrong issuer, so the registry answers `invalid_token`. */
  breakNextTokens(n?: number): void;
  /** Stop breaking tokens. */
  repairTokens(): void;
  close(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const issuer = options.issuer ?? "wkg-test-issuer";
  const service = options.service ?? "wkg-test-registry";
  const users = options.users ?? {};
  const identityTokens = options.identityTokens ?? {};
  const anonymous = options.anonymousActions ?? ["pull"];
  const lifetime = options.lifetimeSeconds ?? 300;
  const fields = options.responseFields ?? "both";
  const key = createPrivateKey(options.signer.key);
  const x5c = [new X509Certificate(options.signer.cert).raw.toString("base64")];
  const requests: TokenRequest[] = [];
  let broken = 0;

  const issue = (user: string | undefined, access: Access[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "RS256", x5c };
    const claims = {
      iss: broken > 0 ? `${issuer}-broken` : issuer,
      sub: user ?? "",
      aud: service,
      exp: now + lifetime,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    if (broken > 0) broken--;
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign("sha256", Buffer.from(signingInput), key);
    return `${signingInput}.${signature.toString("base64url")}`;
  };

  const grant = (user: string | undefined, scopes: string[]): Access[] => {
    const out: Access[] = [];
    for (const scope of scopes) {
      const first = scope.indexOf(":");
      const last = scope.lastIndexOf(":");
      if (first < 0 || last <= first) continue;
      const type = scope.slice(0, first);
      const name = scope.slice(first + 1, last);
      const wanted = scope
        .slice(last + 1)
        .split(",")
        .filter(Boolean);
      const allowed = user === undefined ? anonymous : type === "registry" ? ["*"] : ["pull", "push", "delete", "*"];
      // The spec: grant the intersection, never fail because some action is not allowed.
      const actions = wanted.filter((a) => allowed.includes(a));
      if (actions.length) out.push({ type, name, actions });
    }
    return out;
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/token") return send(res, 404, { errors: [{ code: "NOT_FOUND", message: "no such endpoint" }] });
    const record: TokenRequest = {
      method: req.method ?? "",
      user: undefined,
      scopes: [],
      hadAuthorization: req.headers.authorization !== undefined,
      status: 0,
    };
    requests.push(record);
    let scopes = url.searchParams.getAll("scope");
    let user: string | undefined;
    let refused = false;

    if (req.method === "POST") {
      const form = new URLSearchParams((await readBody(req)).toString("utf8"));
      record.grantType = form.get("grant_type") ?? "";
      scopes = form.getAll("scope");
      if (record.grantType === "password") {
        const name = form.get("username") ?? "";
        if (users[name] !== undefined && users[name] === form.get("password")) user = name;
        else refused = true;
      } else if (record.grantType === "refresh_token") {
        const owner = identityTokens[form.get("refresh_token") ?? ""];
        if (owner) user = owner;
        else refused = true;
      } else {
        record.status = 400;
        return send(res, 400, { error: "unsupported_grant_type" });
      }
    } else if (req.method === "GET") {
      const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? "");
      if (req.headers.authorization !== undefined) {
        const decoded = basic ? Buffer.from(basic[1] as string, "base64").toString("utf8") : "";
        const colon = decoded.indexOf(":");
        const name = decoded.slice(0, Math.max(0, colon));
        if (colon > 0 && users[name] !== undefined && users[name] === decoded.slice(colon + 1)) user = name;
        else refused = true;
      }
    } else {
      record.status = 405;
      return send(res, 405, { errors: [{ code: "UNSUPPORTED", message: "method not allowed" }] });
    }

    scopes = scopes.flatMap((s) => s.split(" ")).filter(Boolean);
    record.scopes = scopes;
    if (refused || (user === undefined && anonymous.length === 0)) {
      record.status = 401;
      res.setHeader("www-authenticate", `Basic realm="${service}"`);
      return send(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] });
    }
    record.user = user;
    record.status = 200;
    const token = issue(user, grant(user, scopes));
    const body: Record<string, unknown> = { expires_in: lifetime, issued_at: new Date().toISOString() };
    if (fields !== "access_token") body.token = token;
    if (fields !== "token") body.access_token = token;
    return send(res, 200, body);
  };

  const server = await startServer(handler);
  return {
    url: server.url,
    realm: `${server.url}/token`,
    issuer,
    service,
    requests,
    breakNextTokens(n = 1) {
      broken += n;
    },
    repairTokens() {
      broken = 0;
    },
    close: () => server.close(),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function b64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
