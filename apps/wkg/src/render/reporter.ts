import type { Logger, WkgEvent } from "@wasm-pkg/common";
import type { Io } from "../io.js";
import { formatEta } from "./eta.js";
import { formatBytes } from "./format.js";
import type { Style } from "./style.js";

export interface ReporterOptions {
  io: Io;
  style: Style;
  json: boolean;
  /** -1 quiet, 0 normal, 1 -v, 2 -vv */
  verbosity: number;
  /** Milliseconds, for the progress bar's rate and ETA (tests pass their own clock). */
  now?: () => number;
}

interface Progress {
  label: string;
  transferred: number;
  total?: number;
  started: number;
}

/**
 * Renders library events: human lines on stderr (statuses right-aligned like cargo and
 * upstream wkg), progress bars only when stderr is a TTY, nothing on stdout. With --json
 * the warnings are also collected for the result document.
 */
export class Reporter {
  readonly warnings: Array<{ message: string; hint?: string }> = [];
  private readonly progress = new Map<string, Progress>();
  private lastDraw = 0;
  private drawn = false;
  private readonly showProgress: boolean;
  private readonly observers = new Set<Logger>();
  private readonly now: () => number;

  constructor(private readonly options: ReporterOptions) {
    this.showProgress = options.io.stderr.isTTY === true && !options.json && options.verbosity >= 0;
    this.now = options.now ?? (() => performance.now());
  }

  /** Also hand every event to `observer` (the end-of-command summary counts downloads); returns its removal. */
  observe(observer: Logger): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  readonly logger: Logger = (event) => this.handle(event);

  status(label: string, message: string): void {
    this.handle({ type: "status", label, message });
  }

  warn(message: string, hint?: string): void {
    this.handle({ type: "warn", message, ...(hint ? { hint } : {}) });
  }

  private line(text: string): void {
    this.clearProgress();
    this.options.io.stderr.write(`${text}\n`);
  }

  private handle(event: WkgEvent): void {
    const { style, verbosity } = this.options;
    for (const observer of this.observers) observer(event);
    switch (event.type) {
      case "status":
        if (verbosity >= 0 && !this.options.json) this.line(`${style.status(event.label.padStart(12))} ${event.message}`);
        return;
      case "warn":
        this.warnings.push({ message: event.message, ...(event.hint ? { hint: event.hint } : {}) });
        if (verbosity >= 0) {
          this.line(`${style.warning("warning")}: ${event.message}`);
          if (event.hint) this.line(`   ${style.help("help")}: ${event.hint}`);
        }
        return;
      case "retry":
        if (verbosity >= 0) {
          this.line(
            style.dim(
              `       retry: ${event.method} ${event.url}: ${event.reason}; attempt ${event.attempt} of ${event.max} in ${event.delayMs} ms`,
            ),
          );
        }
        return;
      case "debug":
        if (verbosity >= 1) this.line(style.dim(`       debug: ${event.message}`));
        return;
      case "resolve":
        if (verbosity >= 1) this.line(style.dim(`     resolve: ${event.package} -> ${event.registry} (${event.protocol})`));
        return;
      case "cache":
        if (verbosity >= 1) this.line(style.dim(`       cache: ${event.op} ${event.key}`));
        return;
      case "http":
        if (verbosity >= 2)
          this.line(style.dim(`        http: ${event.method} ${event.url} -> ${event.status ?? "failed"} (${event.ms} ms)`));
        return;
      case "redirect":
        if (verbosity >= 2)
          this.line(
            style.dim(`    redirect: ${event.from} -> ${event.to}${event.crossOrigin ? " (other origin; credentials dropped)" : ""}`),
          );
        return;
      case "progress":
        this.onProgress(event);
        return;
    }
  }

  private onProgress(event: Extract<WkgEvent, { type: "progress" }>): void {
    if (!this.showProgress) return;
    if (event.done) {
      this.progress.delete(event.id);
      if (this.progress.size === 0) this.clearProgress();
      return;
    }
    const existing = this.progress.get(event.id);
    this.progress.set(event.id, {
      label: event.label,
      transferred: event.transferred,
      ...(event.total === undefined ? {} : { total: event.total }),
      started: existing?.started ?? this.now(),
    });
    const now = this.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw();
  }

  private draw(): void {
    const items = [...this.progress.values()];
    if (items.length === 0) return;
    const transferred = items.reduce((n, p) => n + p.transferred, 0);
    const known = items.every((p) => p.total !== undefined);
    const total = known ? items.reduce((n, p) => n + (p.total ?? 0), 0) : undefined;
    const seconds = Math.max(0.001, (this.now() - Math.min(...items.map((p) => p.started))) / 1000);
    const rate = `${formatBytes(transferred / seconds)}/s`;
    const label = items.length === 1 ? (items[0] as Progress).label : `${items.length} transfers`;
    const width = 24;
    const bar = total && total > 0 ? `[${"=".repeat(Math.min(width, Math.floor((transferred / total) * width))).padEnd(width)}] ` : "";
    const amount = total !== undefined ? `${formatBytes(transferred)}/${formatBytes(total)}` : formatBytes(transferred);
    const eta = total === undefined ? undefined : formatEta(transferred, total, seconds);
    const text = `${this.options.style.status("Transferring".padStart(12))} ${bar}${amount} ${rate}${eta ? ` ETA ${eta}` : ""} ${label}`;
    const columns = this.options.io.stderr.columns ?? 100;
    this.options.io.stderr.write(`\r\x1b[2K${text.length > columns + 20 ? text.slice(0, columns + 20) : text}`);
    this.drawn = true;
  }

  private clearProgress(): void {
    if (this.drawn) {
      this.options.io.stderr.write("\r\x1b[2K");
      this.drawn = false;
    }
  }

  /** Clear any progress line before the process prints its result. */
  finish(): void {
    this.progress.clear();
    this.clearProgress();
  }
}
