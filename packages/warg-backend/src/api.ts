import { type Logger, WkgError, isAbortError, redactUrl } from "@wasm-pkg/common";
import { type HttpClient, download, readCapped } from "@wasm-pkg/http";
import { fromBase64, malformed } from "./protocol/bytes.js";
import { type SignedCheckpoint, parseSignedCheckpoint } from "./protocol/checkpoint.js";
import { type EnvelopeJson, type PublishedEnvelope, publishedEnvelopeFromJson } from "./protocol/records.js";
import { type LogProofBundle, type MapProofBundle, decodeLogProofBundle, decodeMapProofBundle } from "./protocol/proof-bundle.js";

/** JSON bodies are small (a page of records, a proof); anything bigger is a broken or hostile server. */
const MAX_JSON = 64 * 1024 * 1024;

export interface FetchLogsRequest {
  logLength: number;
  limit?: number;
  operator?: string;
  packages: Record<string, string | null>;
}

export interface FetchLogsResponse {
  more: boolean;
  operator: PublishedEnvelope[];
  packages: Record<string, PublishedEnvelope[]>;
}

export interface UploadEndpoint {
  method: "POST" | "PUT";
  url: string;
  headers: Record<string, string>;
}

export interface RecordStatus {
  recordId: string;
  state: "sourcing" | "processing" | "rejected" | "published";
  missingContent: Record<string, UploadEndpoint | undefined>;
  reason?: string;
  registryIndex?: number;
}

export interface CallContext {
  /** `Warg-Registry` domain when asking on behalf of another registry. */
  registry?: string;
  signal?: AbortSignal;
}

/** A registry answered with an error body; `details` carries its decoded fields. */
export function isApiError(error: unknown, status: number, type?: string): error is WkgError {
  if (!(error instanceof WkgError)) return false;
  const d = error.details ?? {};
  return d.status === status && (type === undefined || d.type === type);
}

/**
 * The Warg HTTP API v1, as the client flows use it: JSON in and out, bearer auth on API
 * calls only, paths relative to the base URL so a path prefix survives.
 */
export class WargApi {
  constructor(
    public baseUrl: URL,
    private readonly http: HttpClient,
    private readonly authToken: string | undefined,
    private readonly logger: Logger,
  ) {}

  private headers(ctx: CallContext, json: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (json) headers["content-type"] = "application/json";
    if (this.authToken) headers.authorization = `Bearer ${this.authToken}`;
    if (ctx.registry) headers["warg-registry"] = ctx.registry;
    return headers;
  }

  private async call(what: string, method: string, path: string, body: unknown, ctx: CallContext, retry: boolean): Promise<unknown> {
    const url = new URL(path, this.baseUrl);
    const response = await this.http.request(url, {
      method,
      headers: this.headers(ctx, body !== undefined),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      retry,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (!response.ok) throw await apiError(what, method, url, response);
    return readJson(response, what, method, url);
  }

  async fetchCheckpoint(ctx: CallContext = {}): Promise<SignedCheckpoint> {
    const body = await this.call("fetching the checkpoint", "GET", "v1/fetch/checkpoint", undefined, ctx, true);
    return parseSignedCheckpoint(body, "the registry's checkpoint");
  }

  async fetchLogs(request: FetchLogsRequest, ctx: CallContext = {}): Promise<FetchLogsResponse> {
    const body = (await this.call("fetching logs", "POST", "v1/fetch/logs", request, ctx, true)) as Record<string, unknown>;
    if (typeof body !== "object" || body === null) throw malformed("fetch/logs answered with something other than an object");
    const list = (value: unknown, what: string): PublishedEnvelope[] => {
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value)) throw malformed(`${what} is not a list`);
      return value.map((item, i) => publishedEnvelopeFromJson(item, `${what}[${i}]`));
    };
    const packages: Record<string, PublishedEnvelope[]> = {};
    const raw = (body.packages ?? {}) as Record<string, unknown>;
    for (const logId of Object.keys(request.packages)) packages[logId] = list(raw[logId], `records of package log ${logId}`);
    return { more: body.more === true, operator: list(body.operator, "operator records"), packages };
  }

  async proveInclusion(logLength: number, leafs: number[], ctx: CallContext = {}): Promise<{ log: LogProofBundle; map: MapProofBundle }> {
    const body = (await this.call("fetching inclusion proofs", "POST", "v1/proof/inclusion", { logLength, leafs }, ctx, true)) as Record<
      string,
      unknown
    >;
    if (typeof body?.log !== "string" || typeof body.map !== "string")
      throw malformed("proof/inclusion answered without `log` and `map` bundles");
    return {
      log: decodeLogProofBundle(fromBase64(body.log, "log proof bundle")),
      map: decodeMapProofBundle(fromBase64(body.map, "map proof bundle")),
    };
  }

  async proveConsistency(from: number, to: number, ctx: CallContext = {}): Promise<LogProofBundle> {
    const body = (await this.call("fetching a consistency proof", "POST", "v1/proof/consistency", { from, to }, ctx, true)) as Record<
      string,
      unknown
    >;
    if (typeof body?.proof !== "string") throw malformed("proof/consistency answered without a `proof` bundle");
    return decodeLogProofBundle(fromBase64(body.proof, "consistency proof bundle"));
  }

  /** Absolute http(s) URLs to GET the content from, in the registry's order. */
  async contentSources(digest: string, ctx: CallContext = {}): Promise<string[]> {
    const body = (await this.call(`finding content ${digest}`, "GET", `v1/content/${digest}`, undefined, ctx, true)) as Record<
      string,
      unknown
    >;
    const sources = (body?.contentSources as Record<string, unknown> | undefined)?.[digest];
    if (!Array.isArray(sources)) throw malformed(`the registry lists no sources for content ${digest}`);
    const urls: string[] = [];
    for (const source of sources as Array<Record<string, unknown>>) {
      if (source?.type !== "httpGet" || typeof source.url !== "string") continue;
      let url: URL;
      try {
        url = new URL(source.url);
      } catch {
        continue; // relative URLs are not allowed here (the reference client does not resolve them either)
      }
      if (url.protocol === "http:" || url.protocol === "https:") urls.push(url.href);
    }
    if (urls.length === 0) throw malformed(`the registry lists no usable http(s) source for content ${digest}`);
    return urls;
  }

  /** GET content from one source, without credentials; resumes dropped connections. */
  async download(url: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const { response, body } = await download(this.http, url, { headers: {}, ...(signal ? { signal } : {}) });
    if (!response.ok) {
      await body.cancel().catch(() => {});
      throw await apiError(`downloading content`, "GET", new URL(url), response);
    }
    return body;
  }

  async publishRecord(logId: string, packageName: string, record: EnvelopeJson, ctx: CallContext = {}): Promise<RecordStatus> {
    const body = await this.call(
      `publishing a record of ${packageName}`,
      "POST",
      `v1/package/${logId}/record`,
      { packageName, record },
      ctx,
      false,
    );
    return parseRecordStatus(body);
  }

  async recordStatus(logId: string, recordId: string, ctx: CallContext = {}): Promise<RecordStatus> {
    return parseRecordStatus(await this.call("checking a record", "GET", `v1/package/${logId}/record/${recordId}`, undefined, ctx, true));
  }

  /** Send content to an upload endpoint, with only the headers the registry gave. */
  async upload(endpoint: UploadEndpoint, body: Blob | Uint8Array, signal?: AbortSignal): Promise<void> {
    const url = new URL(endpoint.url, this.baseUrl);
    const response = await this.http.request(url, {
      method: endpoint.method,
      headers: endpoint.headers,
      body,
      retry: false,
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) throw await apiError("uploading content", endpoint.method, url, response);
    await response.body?.cancel().catch(() => {});
  }

  /** warg-client's own well-known lookup: a `wargUrl` there replaces the base URL. */
  async wellKnownWargUrl(signal?: AbortSignal): Promise<string | undefined> {
    const url = new URL(".well-known/wasm-pkg/registry.json", this.baseUrl);
    let response: Response;
    try {
      response = await this.http.request(url, { ...(signal ? { signal } : {}) });
    } catch (error) {
      if (isAbortError(error)) throw error;
      this.logger({ type: "debug", message: `warg: no well-known config at ${redactUrl(url)}: ${(error as Error).message}` });
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(await readCapped(response, 1024 * 1024, "well-known config")));
    } catch (error) {
      throw new WkgError("INVALID_REGISTRY_METADATA", `invalid well-known config: GET ${redactUrl(url)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const wargUrl = (doc as Record<string, unknown> | null)?.wargUrl;
    return typeof wargUrl === "string" && wargUrl !== "" ? wargUrl : undefined;
  }
}

async function readJson(response: Response, what: string, method: string, url: URL): Promise<unknown> {
  const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !type.endsWith("+json")) {
    await response.body?.cancel().catch(() => {});
    throw new WkgError(
      "REGISTRY",
      `${what}: expected a JSON response, got ${JSON.stringify(type || "no content type")}: ${method} ${redactUrl(url)}`,
      {
        hint: "is this URL a Warg registry? Check warg.url in the registry metadata or the registry name",
      },
    );
  }
  const bytes = await readCapped(response, MAX_JSON, `${what} response`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new WkgError("REGISTRY", `${what}: the response is not valid JSON: ${method} ${redactUrl(url)}`, { cause: error });
  }
}

/** Decode the registry's error body into a coded error that keeps its fields in `details`. */
async function apiError(what: string, method: string, url: URL, response: Response): Promise<WkgError> {
  let body: Record<string, unknown> = {};
  let text = "";
  try {
    text = new TextDecoder().decode(await readCapped(response, 64 * 1024, "error body")).trim();
    const parsed = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: keep the text for the message.
  }
  const status = response.status;
  const reason =
    typeof body.message === "string"
      ? body.message
      : typeof body.type === "string"
        ? `${body.type} ${JSON.stringify(body.id)} not found`
        : typeof body.reason === "string"
          ? body.reason
          : text.slice(0, 300) || response.statusText;
  const details: Record<string, unknown> = { status, method, url: redactUrl(url) };
  for (const key of ["type", "id", "reason"]) if (body[key] !== undefined) details[key] = body[key];
  const hintHeader = response.headers.get("warg-registry-hint");
  if (hintHeader) details.registryHint = hintHeader;
  const unauthorized = status === 401 || status === 403;
  return new WkgError(unauthorized ? "UNAUTHORIZED" : "REGISTRY", `${what}: ${status} ${reason}: ${method} ${redactUrl(url)}`, {
    details,
    ...(unauthorized
      ? { hint: 'the registry refused the credentials: check auth_token in the registry\'s [registry."<name>".warg] table' }
      : status === 501
        ? { hint: "the registry does not support this request" }
        : status >= 500
          ? { hint: "the registry failed; try again later" }
          : {}),
  });
}

function parseRecordStatus(value: unknown): RecordStatus {
  const v = value as Record<string, unknown>;
  if (typeof v?.recordId !== "string" || typeof v.state !== "string")
    throw malformed("the registry answered a publish without recordId and state");
  if (!["sourcing", "processing", "rejected", "published"].includes(v.state))
    throw malformed(`unknown record state ${JSON.stringify(v.state)}`);
  const missingContent: Record<string, UploadEndpoint | undefined> = {};
  for (const [digest, entry] of Object.entries((v.missingContent ?? {}) as Record<string, { upload?: unknown }>)) {
    const first = Array.isArray(entry?.upload) ? (entry.upload[0] as Record<string, unknown> | undefined) : undefined;
    if (first?.type !== "http" || typeof first.url !== "string" || (first.method !== "POST" && first.method !== "PUT")) {
      missingContent[digest] = undefined;
      continue;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((first.headers ?? {}) as Record<string, unknown>)) {
      // Only these two are allowed by the protocol; anything else is dropped.
      if ((name === "authorization" || name === "content-type") && typeof value === "string") headers[name] = value;
    }
    missingContent[digest] = { method: first.method, url: first.url, headers };
  }
  return {
    recordId: v.recordId,
    state: v.state as RecordStatus["state"],
    missingContent,
    ...(typeof v.reason === "string" ? { reason: v.reason } : {}),
    ...(Number.isSafeInteger(v.registryIndex) ? { registryIndex: v.registryIndex as number } : {}),
  };
}
