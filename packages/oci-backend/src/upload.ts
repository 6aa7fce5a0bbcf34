import { type Digest, WkgError, isAbortError, isWkgError, noopLogger, redactUrl } from "@wasm-pkg/common";
import { backoffDelay, readTextCapped, sleep } from "@wasm-pkg/http";
import { ProgressTracker } from "./progress.js";
import type { RegistryClient } from "./registry-client.js";

export interface UploadOptions {
  signal?: AbortSignal;
  /**
   * `auto` (default): one PUT up to `chunkThreshold`, PATCH chunks above it; and when a single
   * PUT fails (a proxy's 413, a dropped connection, a 5xx), the next attempt goes in chunks.
   */
  mode?: "auto" | "monolithic" | "chunked";
  /** Default 512 MiB: one request is fastest on every registry measured; proxies may cap sizes. */
  chunkThreshold?: number;
  /** Default 4 MiB, as upstream. */
  chunkSize?: number;
  /** Whole-upload attempts (a failed upload restarts from a new session); default 3. */
  attempts?: number;
  /** Progress events: id and label of the bar. */
  progress?: { id: string; label: string };
  /** Skip the existence check (the caller just did it). */
  skipExistenceCheck?: boolean;
}

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
export const DEFAULT_CHUNK_THRESHOLD = 512 * 1024 * 1024;

/**
 * Upload a blob unless the repository already has it (HEAD first). The bytes are streamed
 * from the Blob (a file-backed one stays on disk), never held whole in memory.
 * Upload sessions that fail on a connection error, a 5xx or a lost session are restarted.
 */
export async function uploadBlob(
  client: RegistryClient,
  repository: string,
  blob: Blob,
  digest: Digest,
  options: UploadOptions = {},
): Promise<"exists" | "uploaded"> {
  const signal = options.signal;
  if (!options.skipExistenceCheck && (await client.blobExists(repository, digest, { push: true, ...(signal ? { signal } : {}) }))) {
    return "exists";
  }
  const tracker = options.progress ? new ProgressTracker(client.logger, { ...options.progress, total: blob.size }) : undefined;
  const mode = options.mode ?? "auto";
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let chunked = mode === "chunked" || (mode === "auto" && blob.size > (options.chunkThreshold ?? DEFAULT_CHUNK_THRESHOLD));
  const attempts = Math.max(1, options.attempts ?? 3);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        tracker?.set(0);
        const location = await startUpload(client, repository, signal);
        if (chunked) await putChunked(client, repository, location, blob, digest, chunkSize, tracker, signal);
        else await putMonolithic(client, repository, location, blob, digest, tracker, signal);
        return "uploaded";
      } catch (error) {
        const tooLarge = isWkgError(error) && error.details?.status === 413;
        if (isAbortError(error) || signal?.aborted || attempt >= attempts || !(restartable(error) || (tooLarge && mode === "auto")))
          throw error;
        // Something between us and the registry may not take big requests: send smaller ones.
        if (mode === "auto" && !chunked && blob.size > chunkSize) chunked = true;
        const delayMs = backoffDelay(attempt, 500, 10_000);
        (client.logger ?? noopLogger)({
          type: "retry",
          method: "PUT",
          url: redactUrl(client.url(`/v2/${repository}/blobs/uploads/`)),
          attempt,
          max: attempts - 1,
          delayMs,
          reason: `upload of ${digest} failed (${(error as Error).message.slice(0, 160)}); starting it again`,
        });
        await sleep(delayMs, signal);
      }
    }
  } finally {
    tracker?.done();
  }
}

/**
 * Upload a blob whose digest is still being computed (a big file hashed on another thread): the
 * bytes go out at once in one PATCH, and the upload is closed with `PUT ?digest=` when both
 * are done, so hashing and uploading overlap. Once the digest is known, a repository that
 * already holds the blob gets the upload abandoned. Any failure of the streamed request falls
 * back to `uploadBlob` with the digest, with its restarts and chunking.
 */
export async function uploadBlobWhileHashing(
  client: RegistryClient,
  repository: string,
  blob: Blob,
  digest: Promise<Digest>,
  options: UploadOptions = {},
): Promise<"exists" | "uploaded"> {
  const signal = options.signal;
  // Awaited below on every path that needs it; a failure before then must not go unhandled.
  digest.catch(() => {});
  const abandon = new AbortController();
  const requestSignal = signal ? AbortSignal.any([signal, abandon.signal]) : abandon.signal;
  const tracker = options.progress ? new ProgressTracker(client.logger, { ...options.progress, total: blob.size }) : undefined;
  let location: string | undefined;
  try {
    location = await startUpload(client, repository, signal);
    const body = tracker ? blob.stream().pipeThrough(tracker.counting()) : blob;
    const patching = sendUploadRequest(client, repository, location, "PATCH", body, blob.size, requestSignal, {
      "content-range": `0-${blob.size - 1}`,
    });
    patching.catch(() => {});
    const known = await digest;
    if (await client.blobExists(repository, known, { push: true, ...(signal ? { signal } : {}) })) {
      abandon.abort();
      await patching.then(
        (r) => r.body?.cancel().catch(() => {}),
        () => {},
      );
      await cancelUpload(client, repository, location);
      return "exists";
    }
    const response = await patching;
    if (response.status !== 202) {
      throw await client.error(response, { what: `uploading ${known} to ${client.registry}/${repository}`, method: "PATCH", write: true });
    }
    await response.body?.cancel().catch(() => {});
    const next = locationOf(response, "PATCH");
    const stored = rangeEnd(response.headers.get("range"));
    if (stored !== undefined && stored + 1 !== blob.size) {
      throw new WkgError("REGISTRY", `${client.registry} stored ${stored + 1} of ${blob.size} bytes: PATCH ${redactUrl(next)}`, {
        details: { status: response.status },
      });
    }
    const put = await sendUploadRequest(client, repository, withDigest(next, known), "PUT", new Uint8Array(), 0, signal);
    await expectCreated(client, put, repository, known);
    tracker?.done();
    return "uploaded";
  } catch (error) {
    abandon.abort();
    tracker?.done();
    if (isAbortError(error) || signal?.aborted) throw error;
    // A failed hash is not an upload problem: this rethrows it.
    const known = await digest;
    (client.logger ?? noopLogger)({
      type: "retry",
      method: "PATCH",
      url: redactUrl(client.url(`/v2/${repository}/blobs/uploads/`)),
      attempt: 1,
      max: 1,
      delayMs: 0,
      reason: `streamed upload of ${known} failed (${(error as Error).message.slice(0, 160)}); uploading it again`,
    });
    if (location) await cancelUpload(client, repository, location);
    return await uploadBlob(client, repository, blob, known, options);
  }
}

/** Best effort: tell the registry an upload session is abandoned (it would expire anyway). */
async function cancelUpload(client: RegistryClient, repository: string, location: string): Promise<void> {
  try {
    const response = await client.send(location, { method: "DELETE", scope: { repository, push: true } });
    await response.body?.cancel().catch(() => {});
  } catch {
    // Nothing to do: the session times out on the registry's side.
  }
}

/** Errors after which a fresh upload session may succeed. */
function restartable(error: unknown): boolean {
  if (!isWkgError(error)) return false;
  if (error.code === "NETWORK" || error.code === "TIMEOUT") return true;
  const status = error.details?.status;
  if (typeof status === "number" && (status >= 500 || status === 429 || status === 408)) return true;
  const errors = error.details?.errors as Array<{ code?: string }> | undefined;
  return Boolean(errors?.some((e) => e.code === "BLOB_UPLOAD_INVALID" || e.code === "BLOB_UPLOAD_UNKNOWN"));
}

/** `POST /v2/<repo>/blobs/uploads/`, answered 202 with the session's Location. */
async function startUpload(client: RegistryClient, repository: string, signal?: AbortSignal): Promise<string> {
  const response = await client.send(`/v2/${repository}/blobs/uploads/`, {
    method: "POST",
    scope: { repository, push: true },
    signal,
    headers: { "content-length": "0" },
    retry: true,
  });
  if (response.status !== 202) {
    throw await client.error(response, { what: `starting an upload to ${client.registry}/${repository}`, method: "POST", write: true });
  }
  await response.body?.cancel().catch(() => {});
  return locationOf(response, "POST");
}

async function putMonolithic(
  client: RegistryClient,
  repository: string,
  location: string,
  blob: Blob,
  digest: Digest,
  tracker: ProgressTracker | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const body = blob.size === 0 ? new Uint8Array() : tracker ? blob.stream().pipeThrough(tracker.counting()) : blob;
  const response = await sendUploadRequest(client, repository, withDigest(location, digest), "PUT", body, blob.size, signal);
  await expectCreated(client, response, repository, digest);
}

async function putChunked(
  client: RegistryClient,
  repository: string,
  location: string,
  blob: Blob,
  digest: Digest,
  chunkSize: number,
  tracker: ProgressTracker | undefined,
  signal?: AbortSignal,
): Promise<void> {
  let offset = 0;
  while (offset < blob.size) {
    const end = Math.min(blob.size, offset + chunkSize);
    const chunk = blob.slice(offset, end);
    const body = tracker ? chunk.stream().pipeThrough(tracker.counting()) : chunk;
    const response = await sendUploadRequest(client, repository, location, "PATCH", body, end - offset, signal, {
      "content-range": `${offset}-${end - 1}`,
    });
    if (response.status !== 202) {
      throw await client.error(response, { what: `uploading a chunk to ${client.registry}/${repository}`, method: "PATCH", write: true });
    }
    await response.body?.cancel().catch(() => {});
    // Always continue from the newest Location: its signed state carries the offset.
    location = locationOf(response, "PATCH");
    const stored = rangeEnd(response.headers.get("range"));
    const next = stored === undefined ? end : stored + 1;
    if (next > end || next <= offset) {
      throw new WkgError(
        "REGISTRY",
        `${client.registry} reports ${next} bytes stored after a chunk ending at ${end}: PATCH ${redactUrl(location)}`,
        {
          details: { status: response.status },
          hint: "the registry lost track of the upload",
        },
      );
    }
    // The registry may take less than a whole chunk: send the rest from where it stopped.
    offset = next;
    tracker?.set(offset);
  }
  const response = await sendUploadRequest(client, repository, withDigest(location, digest), "PUT", new Uint8Array(), 0, signal);
  await expectCreated(client, response, repository, digest);
}

/**
 * A PUT/PATCH of upload data. Never retried by the transport (a replay would append the
 * bytes twice); authorization was settled by the POST that opened the session.
 */
async function sendUploadRequest(
  client: RegistryClient,
  repository: string,
  url: string,
  method: "PUT" | "PATCH",
  body: Blob | Uint8Array | ReadableStream<Uint8Array>,
  length: number,
  signal: AbortSignal | undefined,
  extra: Record<string, string> = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "content-length": String(length),
    ...extra,
  };
  const authorization = await client.authorizationFor({ repository, push: true }, signal);
  // Upload sessions may live on another origin (object storage): our credentials stay home.
  if (authorization && new URL(url).origin === new URL(client.baseUrl).origin) headers.authorization = authorization;
  return client.http.request(url, { method, headers, body, retry: false, crossOriginRedirect: "error", ...(signal ? { signal } : {}) });
}

async function expectCreated(client: RegistryClient, response: Response, repository: string, digest: Digest): Promise<void> {
  if (response.status === 201 || response.status === 204) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  const text = await readTextCapped(response, 64 * 1024, "error body").catch(() => "");
  throw client.errorFromParts(response.status, response.statusText, text, response.url, {
    what: `finishing the upload of ${digest} to ${client.registry}/${repository}`,
    method: "PUT",
    write: true,
    authenticated: await client.hasCredentials(),
  });
}

function locationOf(response: Response, method: string): string {
  const location = response.headers.get("location");
  if (!location) {
    throw new WkgError("REGISTRY", `the registry sent no upload Location: ${method} ${redactUrl(response.url)}`, {
      hint: "the registry does not follow the OCI distribution spec for uploads",
    });
  }
  return new URL(location, response.url).toString();
}

/** Add `digest=` to an upload URL that may already carry a query (distribution's `_state`). */
export function withDigest(location: string, digest: Digest): string {
  return `${location}${location.includes("?") ? "&" : "?"}digest=${encodeURIComponent(digest.toString())}`;
}

/** The last byte offset of an upload `Range: 0-<last>` header (no `bytes=` prefix in the spec). */
export function rangeEnd(header: string | null): number | undefined {
  const match = /^(?:bytes=)?0-(\d+)$/.exec(header?.trim() ?? "");
  return match ? Number(match[1]) : undefined;
}
