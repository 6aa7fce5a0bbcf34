import { WkgError } from "@wasm-pkg/common";
import type { CommandArgs } from "./spec.js";

/** `--timeout` / `WKG_HTTP_TIMEOUT` in seconds (fractions allowed), as milliseconds. */
export function timeoutFlag(args: CommandArgs): number | undefined {
  const value = args.values.timeout;
  if (typeof value !== "string" || value === "") return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new WkgError("USAGE", `invalid --timeout ${JSON.stringify(value)}: expected a number of seconds greater than 0`, {
      hint: "e.g. --timeout 60 (or WKG_HTTP_TIMEOUT=60)",
    });
  }
  return Math.ceil(seconds * 1000);
}
