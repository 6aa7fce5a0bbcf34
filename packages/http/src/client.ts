import { type Logger, WkgError, isAbortError, noopLogger, redactUrl } from "@wasm-pkg/common";
import type { Dispatcher } from "undici";
import { createDispatcher, type DispatcherOptions } from "./dispatcher.js";
import {
  RETRYABLE_STATUSES,
  backoffDelay,
  isIdempotent,
  isRetryableNetworkError,
  networkErrorCode,
  parseRetryAfter,
  sleep,
} from "./retry.js";
import { undici } from "./undici.js";

export interface HttpClientOptions extends DispatcherOptions {
  logger?: Logger;
  /** Attempts after the first for retryable failures (default 3). */
  retries?: number;
  /** First backoff step (default 250 ms); doubles per attempt, with jitter. */
  retryBaseMs?: number;
  /** Longest single wait, including a server's Retry-After (default 30 s). */
  retryMaxDelayMs?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Use this dispatcher instead of building one (tests inject interceptors). */
  dispatcher?: Dispatcher;
  /** Random source for jitter; tests pin it. */
  random?: () => number;
}

export type RequestBody = Uint8Array | string | Blob | ReadableStream<Uint8Array> | null;

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  signal?: AbortSignal;
  /** Override idempotency: `true` retries a POST/PATCH with a replayable body, `false` never retries. */
  retry?: boolean;
  /** What to do when a redirect leaves the origin: follow without credentials (default) or fail. */
  crossOriginRedirect?: "follow" | "error";
  /** Told about every redirect followed (URLs redacted), e.g. to warn about a change of host. */
  onRedirect?: (info: { from: string; to: string; crossOrigin: boolean }) => void;
}

export interface HttpClient {
  /**
   * Send a request. Resolves with any HTTP response, including 4xx/5xx after retries ran out;
   * callers map statuses to errors. Rejects with NETWORK / TIMEOUT errors, or an abort.
   */
  request(url: string | URL, options?: RequestOptions): Promise<Response>;
  /** Close idle connections. */
  close(): Promise<void>;
  readonly logger: Logger;
}

/** Headers that identify the user: never sent to an origin other than the one they were meant for. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const logger = options.logger ?? noopLogger;
  const dispatcher = options.dispatcher ?? createDispatcher(options);
  const retries = options.retries ?? 3;
  const baseMs = options.retryBaseMs ?? 250;
  const maxDelayMs = options.retryMaxDelayMs ?? 30_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const random = options.random ?? Math.random;
  const userAgent = options.userAgent ?? "wkg-ts";

  async function once(url: URL, method: string, headers: Headers, body: RequestBody, signal?: AbortSignal) {
    const started = performance.now();
    // With redirect "manual", undici clones the request and tees its body; the unread branch
    // then holds every byte sent. Large bodies (Blob, stream) are sent with redirect "error"
    // instead, which keeps uploads flat in memory; their redirects are reported, not followed.
    const large = body instanceof ReadableStream || body instanceof Blob;
    const init: Record<string, unknown> = { method, headers, redirect: large ? "error" : "manual", dispatcher, signal };
    if (body !== null && body !== undefined) {
      init.body = body;
      if (body instanceof ReadableStream) init.duplex = "half";
    }
    try {
      const response = (await undici.fetch(url, init as never)) as unknown as Response;
      logger({ type: "http", method, url: redactUrl(url), status: response.status, ms: Math.round(performance.now() - started) });
      return response;
    } catch (error) {
      logger({ type: "http", method, url: redactUrl(url), ms: Math.round(performance.now() - started) });
      throw error;
    }
  }

  async function request(input: string | URL, opts: RequestOptions = {}): Promise<Response> {
    const method = (opts.method ?? "GET").toUpperCase();
    let url = new URL(input);
    const originalOrigin = url.origin;
    // undici's own Headers: the global one would load Node's bundled copy of undici as well.
    const headers = new undici.Headers(opts.headers);
    if (!headers.has("user-agent")) headers.set("user-agent", userAgent);
    let body: RequestBody = opts.body ?? null;
    let currentMethod = method;
    const replayable = !(body instanceof ReadableStream);
    const mayRetry = opts.retry ?? isIdempotent(method);
    let attempt = 0;
    let redirects = 0;

    for (;;) {
      opts.signal?.throwIfAborted();
      let response: Response;
      try {
        response = await once(url, currentMethod, headers, body, opts.signal);
      } catch (error) {
        if (isAbortError(error) || opts.signal?.aborted) throw opts.signal?.reason ?? error;
        const retryable = mayRetry && replayable && isRetryableNetworkError(error);
        if (retryable && attempt < retries) {
          attempt++;
          const delayMs = backoffDelay(attempt, baseMs, maxDelayMs, random);
          logger({ type: "retry", method, url: redactUrl(url), attempt, max: retries, delayMs, reason: describeNetworkError(error) });
          await sleep(delayMs, opts.signal);
          continue;
        }
        throw networkError(error, currentMethod, url, attempt);
      }

      if (response.status >= 300 && response.status < 400 && response.headers.has("location")) {
        if (++redirects > maxRedirects) {
          await discard(response);
          throw new WkgError("HTTP", `too many redirects (more than ${maxRedirects}): ${currentMethod} ${redactUrl(input)}`);
        }
        const next = new URL(response.headers.get("location") as string, url);
        await discard(response);
        const crossOrigin = next.origin !== originalOrigin;
        if (next.protocol !== "https:" && next.protocol !== "http:") {
          throw new WkgError("HTTP", `refusing to follow a redirect to ${redactUrl(next)}: ${currentMethod} ${redactUrl(url)}`);
        }
        if (url.protocol === "https:" && next.protocol === "http:") {
          throw new WkgError(
            "HTTP",
            `refusing to follow a redirect from https to plain http (${redactUrl(next)}): ${currentMethod} ${redactUrl(url)}`,
          );
        }
        const info = { from: redactUrl(url), to: redactUrl(next), crossOrigin };
        logger({ type: "redirect", ...info });
        opts.onRedirect?.(info);
        if (crossOrigin) {
          if (opts.crossOriginRedirect === "error") {
            throw new WkgError("HTTP", `${redactUrl(url)} redirected to another host, ${redactUrl(next)}, which is not allowed here`, {
              details: { from: redactUrl(url), to: redactUrl(next) },
            });
          }
          // Blob downloads are often redirected to object storage: credentials stay home.
          for (const name of CREDENTIAL_HEADERS) headers.delete(name);
        }
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && currentMethod === "POST")) {
          currentMethod = "GET";
          body = null;
          headers.delete("content-type");
          headers.delete("content-length");
        } else if (!replayable && body !== null) {
          throw new WkgError("HTTP", `cannot follow a redirect while streaming a request body: ${currentMethod} ${redactUrl(url)}`);
        }
        url = next;
        continue;
      }

      if (mayRetry && replayable && RETRYABLE_STATUSES.has(response.status) && attempt < retries) {
        const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
        if (retryAfter === undefined || retryAfter <= maxDelayMs) {
          attempt++;
          const delayMs = retryAfter ?? backoffDelay(attempt, baseMs, maxDelayMs, random);
          await discard(response);
          logger({
            type: "retry",
            method,
            url: redactUrl(url),
            attempt,
            max: retries,
            delayMs,
            reason: `HTTP ${response.status}${retryAfter === undefined ? "" : " (Retry-After)"}`,
          });
          await sleep(delayMs, opts.signal);
          continue;
        }
      }
      return response;
    }
  }

  return {
    request,
    logger,
    async close() {
      if (!options.dispatcher) await dispatcher.close();
    },
  };
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The connection is being thrown away anyway.
  }
}

function describeNetworkError(error: unknown): string {
  const code = networkErrorCode(error);
  const cause = (error as { cause?: { message?: string } }).cause;
  return code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function networkError(error: unknown, method: string, url: URL, attempts: number): WkgError {
  const code = networkErrorCode(error);
  const reason = describeNetworkError(error);
  if (/unexpected redirect/.test(reason)) {
    return new WkgError(
      "HTTP",
      `the server answered an upload with a redirect, which wkg does not follow for streamed bodies: ${method} ${redactUrl(url)}`,
      {
        hint: "the registry or a proxy in front of it redirects uploads; point wkg at the final address",
        cause: error,
      },
    );
  }
  const tries = attempts > 0 ? ` after ${attempts + 1} attempts` : "";
  const target = `${method} ${redactUrl(url)}`;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new WkgError("TIMEOUT", `request timed out${tries} (${reason}): ${target}`, {
      hint: "the registry is slow or unreachable; raise the timeout with --timeout or WKG_HTTP_TIMEOUT, or try again",
      cause: error,
    });
  }
  const tls = /CERT|SSL|TLS|self[- ]signed/i.test(reason);
  return new WkgError("NETWORK", `could not reach the registry${tries} (${reason}): ${target}`, {
    hint: tls
      ? "the server's TLS certificate is not trusted: add its CA with `extra_root_certificates` in the registry's config, or set NODE_EXTRA_CA_CERTS"
      : "check the registry name, your network and proxy settings (HTTPS_PROXY, NO_PROXY)",
    cause: error,
    ...(code ? { details: { code } } : {}),
  });
}
