/** Below this, a transfer has not run long enough for its rate to say much (and is nearly done anyway). */
export const ETA_AFTER_SECONDS = 1;

/**
 * The time left of a transfer at its average rate so far, for the progress bar: `"4s"`,
 * `"2m05s"`, `"1h02m"`; undefined while it has run under a second, when its size is unknown,
 * or before any byte arrived.
 */
export function formatEta(transferred: number, total: number | undefined, elapsedSeconds: number): string | undefined {
  if (total === undefined || elapsedSeconds < ETA_AFTER_SECONDS || transferred <= 0 || transferred >= total) return undefined;
  const seconds = Math.ceil((total - transferred) / (transferred / elapsedSeconds));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
