/**
 * Typed events: libraries report what they do through an injected `Logger`; only the CLI
 * decides how (or whether) to show them. URLs in events are already redacted.
 */
export type WkgEvent =
  | { type: "http"; method: string; url: string; status?: number; ms: number }
  | { type: "retry"; method: string; url: string; attempt: number; max: number; delayMs: number; reason: string }
  | { type: "redirect"; from: string; to: string; crossOrigin: boolean }
  | { type: "cache"; op: "hit" | "miss" | "put" | "purge"; key: string }
  | { type: "resolve"; package: string; registry: string; protocol: string }
  | { type: "progress"; id: string; label: string; transferred: number; total?: number; done?: boolean }
  | { type: "status"; label: string; message: string }
  | { type: "warn"; message: string; hint?: string }
  | { type: "debug"; message: string };

export type Logger = (event: WkgEvent) => void;

export const noopLogger: Logger = () => {};

/** Report progress of a byte stream without changing it; `total` may be unknown. */
export function withProgress(
  stream: ReadableStream<Uint8Array>,
  logger: Logger,
  info: { id: string; label: string; total?: number },
): ReadableStream<Uint8Array> {
  let transferred = 0;
  let last = 0;
  const emit = (done: boolean) =>
    logger({
      type: "progress",
      id: info.id,
      label: info.label,
      transferred,
      ...(info.total === undefined ? {} : { total: info.total }),
      done,
    });
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start() {
        emit(false);
      },
      transform(chunk, controller) {
        transferred += chunk.byteLength;
        // Events per chunk would flood the reporter; 256 KiB steps are smooth enough for a bar.
        if (transferred - last >= 256 * 1024) {
          last = transferred;
          emit(false);
        }
        controller.enqueue(chunk);
      },
      flush() {
        emit(true);
      },
    }),
  );
}
