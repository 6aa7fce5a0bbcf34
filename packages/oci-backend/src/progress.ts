import type { Logger } from "@wasm-pkg/common";

/**
 * Progress of one transfer that happens in pieces (an upload in chunks, retried uploads):
 * the same event shape as `withProgress`, throttled to 256 KiB steps, with `set` for the
 * restarts that move the count backwards.
 */
export class ProgressTracker {
  private transferred = 0;
  private last = -1;
  private finished = false;

  constructor(
    private readonly logger: Logger,
    private readonly info: { id: string; label: string; total?: number },
  ) {}

  add(bytes: number): void {
    this.set(this.transferred + bytes);
  }

  set(transferred: number): void {
    this.transferred = transferred;
    if (this.last < 0 || Math.abs(transferred - this.last) >= 256 * 1024 || transferred === this.info.total) {
      this.last = transferred;
      this.emit(false);
    }
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.emit(true);
  }

  /** A pass-through stream that counts what flows through it. */
  counting(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        this.add(chunk.byteLength);
        controller.enqueue(chunk);
      },
    });
  }

  private emit(done: boolean): void {
    this.logger({
      type: "progress",
      id: this.info.id,
      label: this.info.label,
      transferred: this.transferred,
      ...(this.info.total === undefined ? {} : { total: this.info.total }),
      done,
    });
  }
}
