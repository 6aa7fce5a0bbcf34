import { Registry, type Logger, WkgError, isAbortError, noopLogger } from "@wasm-pkg/common";
import { type HttpClient, readTextCapped } from "@wasm-pkg/http";
import { REGISTRY_METADATA_PATH, type RegistryMetadata, emptyMetadata, parseRegistryMetadata } from "./parse.js";

export interface FetchMetadataOptions {
  http: HttpClient;
  logger?: Logger;
  /** Use plain http (loopback hosts always do). */
  insecure?: boolean;
  /** Default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface FetchedMetadata {
  metadata: RegistryMetadata;
  url: string;
  /** `fetched`, or `default` when none could be had (and `reason` says why). */
  outcome: "fetched" | "default";
  reason?: string;
}

export function metadataUrl(registry: string, insecure = false): string {
  const parsed = Registry.parse(registry);
  const scheme = insecure || parsed.isLoopback ? "http" : "https";
  return `${scheme}://${parsed.authority}${REGISTRY_METADATA_PATH}`;
}

/**
 * Fetch a registry's `registry.json`. As upstream, a registry without one (404), or with a
 * broken one, falls back to defaults (OCI on the registry host itself); unlike upstream the
 * reason is always reported (debug for 404, a warning otherwise), the fetch times out, and a
 * redirect to another host is reported rather than followed silently.
 */
export async function fetchRegistryMetadata(registry: string, options: FetchMetadataOptions): Promise<FetchedMetadata> {
  const logger = options.logger ?? noopLogger;
  const url = metadataUrl(registry, options.insecure);
  const fallback = (reason: string, level: "debug" | "warn"): FetchedMetadata => {
    const message = `no registry metadata for ${registry} (${reason}); using defaults: OCI at ${registry}`;
    logger(level === "warn" ? { type: "warn", message } : { type: "debug", message });
    return { metadata: emptyMetadata(), url, outcome: "default", reason };
  };
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await options.http.request(url, {
      signal,
      headers: { accept: "application/json" },
      onRedirect: ({ from, to, crossOrigin }) => {
        if (crossOrigin)
          logger({ type: "warn", message: `registry metadata for ${registry} was redirected from ${from} to another host: ${to}` });
      },
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted || isAbortError(error))
      return fallback(`timed out after ${options.timeoutMs ?? 10_000} ms fetching ${url}`, "warn");
    return fallback(error instanceof Error ? error.message : String(error), "warn");
  }
  if (response.status === 404) {
    await response.body?.cancel().catch(() => {});
    return fallback(`${url} answered 404`, "debug");
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    return fallback(`${url} answered ${response.status}`, "warn");
  }
  try {
    const text = await readTextCapped(response, 1024 * 1024, "registry metadata");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new WkgError("INVALID_REGISTRY_METADATA", `invalid JSON in ${url}: ${(error as Error).message}`);
    }
    return { metadata: parseRegistryMetadata(json, url), url, outcome: "fetched" };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) return fallback(`timed out after ${options.timeoutMs ?? 10_000} ms reading ${url}`, "warn");
    return fallback(error instanceof Error ? error.message : String(error), "warn");
  }
}
