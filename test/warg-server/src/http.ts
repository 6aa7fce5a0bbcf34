import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { PrivateKey } from "@wasm-pkg/warg-backend/protocol";
import { ApiError, notFound } from "./api-error.js";
import type { RegistryCore } from "./core.js";
import {
  type Misbehaviour,
  badCheckpointSignature,
  corruptContent,
  corruptLogProof,
  corruptMapProof,
  forgeRecordSignatures,
  strangerCheckpoint,
  withholdNewest,
} from "./misbehaviour.js";

export interface ServerState {
  /** The registry served without a `Warg-Registry` header (honest, or a fork of it). */
  active: RegistryCore;
  honest: RegistryCore;
  peers: Map<string, RegistryCore>;
  misbehaviour: Misbehaviour | null;
  operatorKey: PrivateKey;
  authToken?: string;
  /** Path prefix the API lives under, "" or e.g. "/warg". */
  prefix: string;
  /** Origin + prefix, for absolute content URLs. */
  base: () => string;
  wellKnown?: Record<string, unknown>;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
}

const JSON_TYPE = "application/json";

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  if (typeof body === "string") {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
    res.end(body);
    return;
  }
  // Exactly `application/json`: the Rust client refuses anything with parameters.
  res.writeHead(status, { "content-type": JSON_TYPE, ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== JSON_TYPE) {
    throw new ApiError(415, { status: 415, message: "Expected request with `Content-Type: application/json`" });
  }
  try {
    return JSON.parse((await readBody(req)).toString("utf8"));
  } catch {
    throw new ApiError(400, { status: 400, message: "Failed to parse the request body as JSON" });
  }
}

/** Once the response is out, validate queued records, as the reference does in the background. */
function schedule(core: RegistryCore): void {
  setImmediate(() => core.processQueue());
}

export function createHandler(state: ServerState) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://localhost");
    state.requests.push({ method, path: url.pathname, headers: req.headers });
    try {
      if (!url.pathname.startsWith(`${state.prefix}/`))
        throw new ApiError(404, { status: 404, message: "the requested resource was not found" });
      const path = url.pathname.slice(state.prefix.length + 1);
      await route(state, method, path, req, res);
    } catch (error) {
      if (error instanceof ApiError) send(res, error.status, error.body, error.headers);
      else send(res, 500, { status: 500, message: String(error) });
    }
  };
}

function hintFor(state: ServerState) {
  return (logId: string): Record<string, string> => {
    for (const [domain, peer] of state.peers) {
      const name = peer.logs.get(logId)?.name;
      if (name) return { "warg-registry-hint": `${name.slice(0, name.lastIndexOf(":"))}=${domain}` };
    }
    return {};
  };
}

async function route(state: ServerState, method: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (method === "GET" && path === ".well-known/wasm-pkg/registry.json") {
    if (!state.wellKnown) throw new ApiError(404, { status: 404, message: "the requested resource was not found" });
    return send(res, 200, state.wellKnown);
  }
  const content = /^content\/sha256-([0-9a-f]{64})$/.exec(path);
  if (method === "GET" && content) return serveContent(state, res, `sha256:${content[1]}`);
  if (!path.startsWith("v1/")) throw new ApiError(404, { status: 404, message: "the requested resource was not found" });

  if (state.authToken !== undefined && req.headers.authorization !== `Bearer ${state.authToken}`) {
    throw new ApiError(401, { status: 401, message: "unauthorized: a valid bearer token is required" });
  }
  let core = state.active;
  const target = req.headers["warg-registry"];
  if (target !== undefined) {
    const peer = state.peers.get(String(target));
    if (!peer) return send(res, 501, "`Warg-Registry` header is not supported");
    core = peer;
  }
  const api = path.slice(3);
  const bad = state.misbehaviour;

  if (method === "GET" && api === "fetch/checkpoint") {
    let cp = core.latest;
    if (bad === "rollback") cp = core.checkpoints.get(cp.contents.logLength - 1) ?? cp;
    if (bad === "checkpoint-signature") cp = badCheckpointSignature(cp, state.operatorKey);
    if (bad === "checkpoint-key") cp = strangerCheckpoint(cp);
    return send(res, 200, cp);
  }
  if (method === "POST" && api === "fetch/logs") {
    const out = core.fetchLogs(await readJson(req), hintFor(state));
    if (bad === "record-signature") forgeRecordSignatures(out.packages, state.operatorKey);
    if (bad === "withhold") withholdNewest(out.packages);
    return send(res, 200, out);
  }
  if (method === "POST" && api === "fetch/names") return send(res, 200, core.names(await readJson(req)));
  if (method === "POST" && api === "proof/inclusion") {
    const out = core.inclusion(await readJson(req), bad === "withhold");
    if (bad === "inclusion-proof") out.log = corruptLogProof(out.log);
    if (bad === "map-proof") out.map = corruptMapProof(out.map);
    return send(res, 200, out);
  }
  if (method === "POST" && api === "proof/consistency") {
    const out = core.consistency(await readJson(req));
    if (bad === "consistency-proof") out.proof = corruptLogProof(out.proof);
    return send(res, 200, out);
  }
  const contentDigest = /^content\/(sha256:[0-9a-f]{64})$/.exec(api);
  if (method === "GET" && contentDigest) {
    const digest = contentDigest[1] as string;
    if (!core.content.has(digest)) throw notFound("contentDigest", digest);
    const url = `${state.base()}/content/${digest.replace(":", "-")}`;
    return send(res, 200, { contentSources: { [digest]: [{ type: "httpGet", url }] } });
  }
  const upload = /^package\/(sha256:[0-9a-f]{64})\/record\/(sha256:[0-9a-f]{64})\/content\/(sha256:[0-9a-f]{64})$/.exec(api);
  if ((method === "POST" || method === "PUT") && upload) {
    core.upload(upload[1] as string, upload[2] as string, upload[3] as string, new Uint8Array(await readBody(req)));
    schedule(core);
    return send(res, 201);
  }
  const status = /^package\/(sha256:[0-9a-f]{64})\/record\/(sha256:[0-9a-f]{64})$/.exec(api);
  if (method === "GET" && status) return send(res, 200, core.status(status[1] as string, status[2] as string));
  const publish = /^package\/(sha256:[0-9a-f]{64})\/record$/.exec(api);
  if (method === "POST" && publish) {
    const out = core.submit(publish[1] as string, await readJson(req));
    schedule(core);
    return send(res, 202, out);
  }
  if (method === "GET" && api === "ledger") {
    const length = core.latest.contents.logLength;
    const sources = [];
    for (let start = 0; start < length; start += 1000) {
      sources.push({
        firstRegistryIndex: start,
        lastRegistryIndex: Math.min(start + 999, length - 1),
        url: `v1/ledger/records/${start}`,
        contentType: "application/vnd.warg.ledger.packed",
      });
    }
    return send(res, 200, { hashAlgorithm: "sha256", sources });
  }
  const ledger = /^ledger\/records\/(\d+)$/.exec(api);
  if (method === "GET" && ledger) {
    res.writeHead(200, { "content-type": "application/vnd.warg.ledger.packed" });
    res.end(core.ledgerRecords(Number(ledger[1])));
    return;
  }
  if (method === "POST" && api === "verify/checkpoint") return send(res, 200, core.verifyCheckpoint(await readJson(req)));
  throw new ApiError(404, { status: 404, message: "the requested resource was not found" });
}

function serveContent(state: ServerState, res: ServerResponse, digest: string): void {
  const cores = [state.active, ...state.peers.values()];
  const bytes = cores.map((c) => c.content.get(digest)).find((b) => b !== undefined);
  if (!bytes) throw new ApiError(404, { status: 404, message: "the requested resource was not found" });
  const body = state.misbehaviour === "wrong-content" ? corruptContent(bytes) : bytes;
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(body.byteLength) });
  res.end(body);
}
