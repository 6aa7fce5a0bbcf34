import { WkgError, isAbortError, redactUrl } from "@wasm-pkg/common";
import type { HttpClient, RequestOptions } from "./client.js";
import { backoffDelay, isRetryableNetworkError, sleep } from "./retry.js";

export interface DownloadOptions extends Omit<RequestOptions, "method" | "body"> {
  /** How many times a body that breaks off mid-transfer is resumed (default 3). */
  resumeAttempts?: number;
  /**
   * The body's length when known from elsewhere (an OCI descriptor): a body that ends before
   * it, cleanly but short (a proxy that drops the connection without a Content-Length to give
   * it away), is resumed like one that broke off.
   */
  size?: number;
}

/**
 * GET a large body and keep it flowing across dropped connections: when the stream
 * breaks off, the request is repeated with `Range: bytes=<received>-` (guarded by
 * `If-Range`), and a server that ignores ranges has its first bytes skipped. The caller
 * still verifies the digest of the whole; this only spares a restart from zero.
 *
 * Resolves with the first response; when it is not 2xx, `body` is its raw body.
 */
export async function download(
  client: HttpClient,
  url: string | URL,
  options: DownloadOptions = {},
): Promise<{ response: Response; body: ReadableStream<Uint8Array> }> {
  const { size: _size, resumeAttempts: _attempts, ...request } = options;
  const response = await client.request(url, { ...request, method: "GET" });
  if (!response.ok || !response.body) {
    return { response, body: response.body ?? new ReadableStream({ start: (c) => c.close() }) };
  }
  const maxResumes = options.resumeAttempts ?? 3;
  const validator = response.headers.get("etag") ?? response.headers.get("last-modified");
  const total = options.size ?? Number(response.headers.get("content-length") ?? Number.NaN);
  let reader = response.body.getReader();
  let received = 0;
  let resumes = 0;
  let skip = 0;

  const resume = async (cause: unknown): Promise<void> => {
    resumes++;
    const delayMs = backoffDelay(resumes, 250, 5_000);
    client.logger({
      type: "retry",
      method: "GET",
      url: redactUrl(url),
      attempt: resumes,
      max: maxResumes,
      delayMs,
      reason: `connection dropped after ${received} bytes; resuming`,
    });
    await sleep(delayMs, options.signal);
    const headers: Record<string, string> = { ...options.headers, range: `bytes=${received}-` };
    if (validator) headers["if-range"] = validator;
    const { size: _size, resumeAttempts: _attempts, ...request } = options;
    const next = await client.request(url, { ...request, method: "GET", headers });
    if (next.status === 206 && rangeStart(next.headers.get("content-range")) === received && next.body) {
      reader = next.body.getReader();
      return;
    }
    if (next.status === 200 && next.body) {
      // The server ignored the range (or the validator changed): read from the start, drop what we have.
      skip = received;
      reader = next.body.getReader();
      return;
    }
    await next.body?.cancel().catch(() => {});
    throw new WkgError(
      "NETWORK",
      `download broke off after ${received} bytes and could not be resumed (HTTP ${next.status}): GET ${redactUrl(url)}`,
      {
        cause,
      },
    );
  };

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (error) {
            if (isAbortError(error) || options.signal?.aborted) throw options.signal?.reason ?? error;
            const complete = Number.isFinite(total) && received >= total;
            if (!complete && resumes < maxResumes && isRetryableNetworkError(error)) {
              await resume(error);
              continue;
            }
            throw new WkgError("NETWORK", `download broke off after ${received} bytes: GET ${redactUrl(url)}`, {
              hint: "the connection dropped; run the command again",
              cause: error,
            });
          }
          if (chunk.done) {
            if (options.size !== undefined && received < options.size && resumes < maxResumes) {
              await resume(new Error(`the body ended after ${received} of ${options.size} bytes`));
              continue;
            }
            controller.close();
            return;
          }
          let value = chunk.value;
          if (skip > 0) {
            if (value.byteLength <= skip) {
              skip -= value.byteLength;
              continue;
            }
            value = value.subarray(skip);
            skip = 0;
          }
          received += value.byteLength;
          controller.enqueue(value);
          return;
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return { response, body };
}

function rangeStart(contentRange: string | null): number | undefined {
  const match = /^bytes (\d+)-/.exec(contentRange ?? "");
  return match ? Number(match[1]) : undefined;
}
