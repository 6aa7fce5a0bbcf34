import { WkgError, type WkgErrorCode, redactUrl } from "@wasm-pkg/common";
import { readTextCapped } from "@wasm-pkg/http";

/** One entry of the distribution error envelope `{"errors":[{code,message,detail}]}`. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

export interface ErrorContext {
  /** What was being done, e.g. `listing tags of ghcr.io/wasi/http`. */
  what: string;
  method: string;
  /** Whether the request carried credentials (changes the advice on 401/403). */
  authenticated?: boolean;
  /** How a 404 (or NAME_UNKNOWN / MANIFEST_UNKNOWN) maps for this operation. */
  notFound?: { code: WkgErrorCode; message: string; hint?: string };
  /** How NAME_UNKNOWN (the whole repository is missing) maps, when it differs from `notFound`. */
  nameUnknown?: { code: WkgErrorCode; message: string; hint?: string };
  /** The registry host, for advice about credentials. */
  registry?: string;
  /** Writes cannot be "not found": a 401/403 there is only about access. */
  write?: boolean;
}

/** Parse an error body defensively: JSON envelope, bare text (`404 page not found`), or nothing. */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  try {
    const value = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(value?.errors)) return [];
    return value.errors
      .filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
      .map((e) => ({
        code: typeof e.code === "string" ? e.code : "UNKNOWN",
        message: typeof e.message === "string" ? e.message : "",
        ...(e.detail === undefined || e.detail === null ? {} : { detail: e.detail }),
      }));
  } catch {
    return [];
  }
}

function describeEntries(entries: RegistryErrorEntry[], text: string): string {
  if (entries.length === 0) {
    const trimmed = text.trim().replace(/\s+/g, " ");
    return trimmed.length > 200 ? `${trimmed.slice(0, 200)}...` : trimmed;
  }
  return entries
    .map((e) => {
      const detail = e.detail === undefined ? "" : typeof e.detail === "string" ? e.detail : JSON.stringify(e.detail);
      const shortDetail = detail.length > 200 ? `${detail.slice(0, 200)}...` : detail;
      return `${e.code}${e.message ? `: ${e.message}` : ""}${shortDetail && shortDetail !== "{}" ? ` (${shortDetail})` : ""}`;
    })
    .join("; ");
}

/**
 * Turn an unexpected registry response into a WkgError with a stable code and advice.
 * ghcr.io and others answer 401/403 for packages that do not exist (so as not to reveal
 * private ones), hence "not found or not authorized".
 */
export async function registryError(response: Response, context: ErrorContext): Promise<WkgError> {
  const text = await readTextCapped(response, 64 * 1024, "error body").catch(() => "");
  return errorFromParts(response.status, response.statusText, text, response.url, context);
}

export function errorFromParts(status: number, statusText: string, text: string, url: string, context: ErrorContext): WkgError {
  const entries = parseErrorBody(text);
  const codes = new Set(entries.map((e) => e.code));
  const described = describeEntries(entries, text);
  const where = `${context.method} ${redactUrl(url)}`;
  const statusPart = `${status}${statusText ? ` ${statusText}` : ""}${described ? ` (${described})` : ""}`;
  const details = { status, url: redactUrl(url), method: context.method, ...(entries.length ? { errors: entries } : {}) };
  const host = context.registry ?? new URL(url).host;

  if (status === 401 || status === 403) {
    const sources = "config `auth`, -u/-p, WKG_REGISTRY_<HOST>_AUTH_BEARER or the Docker config";
    const hint = context.authenticated
      ? `the credentials for ${host} were refused or lack ${context.write ? "push" : "read"} access: check them (${sources})${context.write ? "" : ", and check the name"}`
      : context.write
        ? `pushing to ${host} needs credentials: log in (\`wkg login ${host}\`) or set them (${sources})`
        : `if the package is private, log in (\`wkg login ${host}\`, or set credentials for ${host}); otherwise check its name`;
    const verdict = context.write ? "not authorized" : "not found or not authorized";
    return new WkgError("UNAUTHORIZED", `${context.what}: ${verdict}: ${statusPart}: ${where}`, { hint, details });
  }
  if (status === 404 && context.nameUnknown && codes.has("NAME_UNKNOWN")) {
    return new WkgError(context.nameUnknown.code, `${context.nameUnknown.message}: ${statusPart}: ${where}`, {
      ...(context.nameUnknown.hint ? { hint: context.nameUnknown.hint } : {}),
      details,
    });
  }
  if (status === 404 && context.notFound) {
    // NAME_UNKNOWN / MANIFEST_UNKNOWN, or distribution's plain-text router 404 for names it cannot route.
    const known = codes.has("NAME_UNKNOWN") || codes.has("MANIFEST_UNKNOWN") || codes.has("BLOB_UNKNOWN") || entries.length === 0;
    if (known) {
      return new WkgError(context.notFound.code, `${context.notFound.message}: ${statusPart}: ${where}`, {
        ...(context.notFound.hint ? { hint: context.notFound.hint } : {}),
        details,
      });
    }
  }
  if (status === 429) {
    return new WkgError("REGISTRY", `${context.what}: rate limited by the registry: ${statusPart}: ${where}`, {
      hint: "the registry asked us to slow down and retries ran out; wait a while and try again (logging in often raises the limit)",
      details,
    });
  }
  if (status >= 500) {
    return new WkgError("REGISTRY", `${context.what}: the registry failed: ${statusPart}: ${where}`, {
      hint: "the registry had an internal error; try again later",
      details,
    });
  }
  let hint: string | undefined;
  if (codes.has("DIGEST_INVALID")) hint = "the registry received different bytes than were hashed; was the file changed during the push?";
  else if (codes.has("MANIFEST_BLOB_UNKNOWN")) hint = "the registry lost a blob the manifest names; push again";
  else if (codes.has("MANIFEST_INVALID")) hint = "the registry refused the manifest; it may not support OCI artifacts of this kind";
  else if (codes.has("DENIED")) hint = `you lack permission for this repository on ${host}`;
  else if (status === 404 && entries.length === 0)
    hint = "the registry has no such route; the repository name or tag may be invalid for it";
  return new WkgError("REGISTRY", `${context.what}: ${statusPart}: ${where}`, { ...(hint ? { hint } : {}), details });
}
