import { WkgError, type WkgErrorCode } from "@wasm-pkg/common";

/** A byte-offset range into a {@link SourceMap}; `start === -1` means "unknown". */
export interface Span {
  start: number;
  end: number;
}

export const UNKNOWN_SPAN: Span = { start: -1, end: -1 };

export interface ErrorLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * The internal failure of the WIT toolchain. It carries an optional span (rendered into a
 * `--> file:line:col` excerpt by the source map that owns it) and a chain of context
 * strings, like `anyhow` in wit-parser; `render()` joins them as `{:#}` does.
 * Public entry points convert it to a {@link WkgError}.
 */
export class WitError extends Error {
  readonly code: WkgErrorCode;
  span: Span | undefined;
  /** The message with its source excerpt, once a source map rendered it. */
  highlighted: string | undefined;
  location: ErrorLocation | undefined;
  readonly contexts: string[] = [];
  /** Lexer errors point at one character: rendered with a caret and no underline. */
  lexer = false;

  constructor(code: WkgErrorCode, message: string, span?: Span) {
    super(message);
    this.name = "WitError";
    this.code = code;
    this.span = span && span.start >= 0 ? span : undefined;
  }

  markLexer(): this {
    this.lexer = true;
    return this;
  }

  /** Adds an outer context (`failed to ...`), innermost messages stay last. */
  context(text: string): this {
    this.contexts.unshift(text);
    return this;
  }

  render(): string {
    return [...this.contexts, this.highlighted ?? this.message].join(": ");
  }

  toWkgError(hint?: string): WkgError {
    return new WkgError(this.code, this.render(), {
      ...(hint ? { hint } : {}),
      ...(this.location ? { details: { ...this.location } } : {}),
    });
  }
}

export function syntaxError(message: string, span?: Span): WitError {
  return new WitError("WIT_SYNTAX", message, span);
}

export function resolveError(message: string, span?: Span): WitError {
  return new WitError("WIT_RESOLVE", message, span);
}

export function decodeError(message: string): WitError {
  return new WitError("WASM_DECODE", message);
}

export function encodeError(message: string): WitError {
  return new WitError("WIT_ENCODE", message);
}

/** Runs `f`, adding `text()` as context to a WitError that escapes it. */
export function withContext<T>(text: () => string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof WitError) throw error.context(text());
    throw error;
  }
}

const HINTS: Partial<Record<WkgErrorCode, string>> = {
  WIT_SYNTAX: "fix the WIT source at the location shown",
  WIT_RESOLVE: "check the package names, versions and the files in the deps/ folder",
  WASM_DECODE: "the file is not a valid WebAssembly component or WIT package",
  WIT_ENCODE: "the package cannot be encoded as shown; check its interfaces and worlds",
};

/**
 * Converts anything a public entry point caught into a WkgError. Errors that are not
 * ours (a bug, or a RangeError from malformed bytes) become `fallback` errors so callers
 * only ever see WkgError.
 */
export function toWkgError(error: unknown, fallback: WkgErrorCode): WkgError {
  if (error instanceof WkgError) return error;
  if (error instanceof WitError) return error.toWkgError(HINTS[error.code]);
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new WkgError(fallback, "input nests too deeply to process", { cause: error, hint: HINTS[fallback] });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new WkgError(fallback, `malformed input: ${message}`, { cause: error, hint: HINTS[fallback] });
}

/** Wraps a public entry point so every failure is a WkgError. */
export function publicCall<T>(fallback: WkgErrorCode, f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw toWkgError(error, fallback);
  }
}

export async function publicCallAsync<T>(fallback: WkgErrorCode, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (error) {
    throw toWkgError(error, fallback);
  }
}
