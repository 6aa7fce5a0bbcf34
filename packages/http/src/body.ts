import { WkgError, type WkgErrorCode, redactUrl } from "@wasm-pkg/common";

/**
 * Read a whole response body, refusing anything larger than `maxBytes`: manifests,
 * metadata and error bodies are small, and a hostile server must not make us buffer gigabytes.
 */
export async function readCapped(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(what, response.url, maxBytes);
  }
  if (!response.body) return new Uint8Array();
  return await readStreamCapped(response.body, maxBytes, what, response.url);
}

/** `readCapped` for a bare stream; `url` names where it came from in the error. */
export async function readStreamCapped(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  what: string,
  url: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(what, url, maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function tooLarge(what: string, url: string, maxBytes: number): WkgError {
  return new WkgError("INVALID_CONTENT", `${what} is larger than ${maxBytes} bytes: ${redactUrl(url)}`);
}

export async function readTextCapped(response: Response, maxBytes: number, what: string): Promise<string> {
  return new TextDecoder().decode(await readCapped(response, maxBytes, what));
}

/** Best-effort short excerpt of an error body for messages (never throws). */
export async function errorBodyExcerpt(response: Response, maxChars = 300): Promise<string> {
  try {
    const text = (await readTextCapped(response, 64 * 1024, "error body")).trim();
    return text.length > maxChars ? `${text.slice(0, maxChars)}...` : text;
  } catch {
    return "";
  }
}

/**
 * An error for an unexpected status, shaped `<what>: <status> <text>: <METHOD> <url>`,
 * with a hint for the statuses users most often meet.
 */
export async function statusError(
  response: Response,
  what: string,
  method: string,
  options: { code?: WkgErrorCode; hint?: string } = {},
): Promise<WkgError> {
  const excerpt = await errorBodyExcerpt(response);
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const code: WkgErrorCode = options.code ?? (response.status === 401 || response.status === 403 ? "UNAUTHORIZED" : "HTTP");
  const hint =
    options.hint ??
    (response.status === 401 || response.status === 403
      ? "the registry wants credentials, or the ones sent were refused"
      : response.status >= 500
        ? "the registry failed; try again later"
        : undefined);
  return new WkgError(code, `${what}: ${status}${excerpt ? ` (${excerpt})` : ""}: ${method} ${redactUrl(response.url)}`, {
    ...(hint ? { hint } : {}),
    details: { status: response.status, url: redactUrl(response.url), method },
  });
}
