import { type WkgError, isWkgError, redact } from "@wasm-pkg/common";
import type { Style } from "./style.js";

/** Exit codes: documented in the README; stable. */
export const EXIT = { ok: 0, failure: 1, usage: 2, checkMismatch: 3 } as const;

export interface RenderedError {
  text: string;
  json: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
  exitCode: number;
}

/**
 * The one place that turns an error into words and an exit code. Library errors arrive
 * already worded and redacted; anything else is a bug and says so.
 */
export function renderError(error: unknown, style: Style, verbosity = 0): RenderedError {
  if (isWkgError(error)) {
    const lines = [`${style.error("error")}: ${error.message}`];
    let cause = error.cause;
    for (let depth = 0; verbosity >= 1 && cause && depth < 4; depth++) {
      const text = cause instanceof Error ? cause.message : String(cause);
      lines.push(`  ${style.dim("caused by")}: ${redact(text)}`);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (error.hint) lines.push(`   ${style.help("help")}: ${error.hint}`);
    const exitCode = error.code === "USAGE" ? EXIT.usage : error.code === "CHECK_MISMATCH" ? EXIT.checkMismatch : EXIT.failure;
    return { text: `${lines.join("\n")}\n`, json: (error as WkgError).toJSON() as RenderedError["json"], exitCode };
  }
  const name = (error as { name?: string })?.name;
  if (name === "AbortError") {
    return { text: `${style.error("error")}: interrupted\n`, json: { code: "INTERRUPTED", message: "interrupted" }, exitCode: 130 };
  }
  const message = redact(error instanceof Error ? error.message : String(error));
  const stack = verbosity >= 1 && error instanceof Error && error.stack ? `\n${redact(error.stack)}` : "";
  return {
    text: `${style.error("error")}: internal error: ${message}${stack}\n   ${style.help("help")}: this is a bug in wkg; please report it with the command you ran (add -v for a stack trace)\n`,
    json: { code: "INTERNAL", message },
    exitCode: EXIT.failure,
  };
}
