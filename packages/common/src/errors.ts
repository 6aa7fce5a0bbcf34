import { redact } from "./redact.js";

/**
 * Stable error codes. Append-only: a code is never renamed, reused or removed,
 * because scripts and embedders match on them (`--json` output carries them).
 */
export const ErrorCodes = [
  // Mirrors of upstream wasm-pkg-common::Error variants.
  "PACKAGE_NOT_FOUND",
  "VERSION_NOT_FOUND",
  "VERSION_EXISTS",
  "SEMVER_INCOMPATIBLE",
  "NO_REGISTRY_FOR_NAMESPACE",
  "INVALID_CONFIG",
  "CONFIG_IO",
  "INVALID_PACKAGE_REF",
  "INVALID_LABEL",
  "INVALID_VERSION",
  "INVALID_VERSION_REQ",
  "INVALID_REGISTRY",
  "INVALID_REGISTRY_METADATA",
  "REGISTRY_METADATA",
  "INVALID_DIGEST",
  "INVALID_CONTENT",
  "INVALID_COMPONENT",
  "INVALID_PACKAGE",
  "INVALID_MANIFEST",
  "CREDENTIALS",
  "REGISTRY",
  "CACHE",
  // Our own.
  "INTEGRITY",
  "IO",
  "NETWORK",
  "TIMEOUT",
  "HTTP",
  "UNAUTHORIZED",
  "UNSAFE_PATH",
  "USAGE",
  "OFFLINE",
  "LOCKED",
  "INVALID_LOCKFILE",
  "WIT_SYNTAX",
  "WIT_RESOLVE",
  "WIT_ENCODE",
  "WASM_DECODE",
  "UNKNOWN_BACKEND",
  "ALREADY_EXISTS",
  "CHECK_MISMATCH",
  "VERIFICATION",
  "UNSUPPORTED",
  "INTERNAL",
  "INVALID_REFERENCE",
  "DEPS_CONFLICT",
] as const;

export type WkgErrorCode = (typeof ErrorCodes)[number];

export interface WkgErrorOptions {
  /** One sentence telling the user what to do next. */
  hint?: string;
  cause?: unknown;
  /** Structured fields for `--json` output and programmatic handling. Never secrets. */
  details?: Record<string, unknown>;
}

const BRAND = Symbol.for("wasm-pkg.WkgError");

/**
 * The one error type every library in this repository throws for a failure a user
 * can reach. Programmer errors stay plain `Error`; an `AbortError` is never wrapped.
 */
export class WkgError extends Error {
  readonly code: WkgErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: WkgErrorCode, message: string, options: WkgErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WkgError";
    this.code = code;
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof` that also works across duplicate installs of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function isWkgError(value: unknown, code?: WkgErrorCode): value is WkgError {
  return value instanceof WkgError && (code === undefined || value.code === code);
}

/** True for the error an aborted `AbortSignal` produces; such errors are never retried or wrapped. */
export function isAbortError(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    ((value as { name?: unknown }).name === "AbortError" || (value as { name?: unknown }).name === "TimeoutError")
  );
}

/** Rethrow aborts untouched; wrap anything else that is not already a WkgError. */
export function wrapError(error: unknown, code: WkgErrorCode, message: string, options: WkgErrorOptions = {}): never {
  if (isAbortError(error) || error instanceof WkgError) throw error;
  const reason = error instanceof Error ? error.message : String(error);
  throw new WkgError(code, `${message}: ${reason}`, { ...options, cause: error });
}
