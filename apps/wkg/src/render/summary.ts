import type { WkgEvent } from "@wasm-pkg/common";
import type { Context } from "../context.js";
import { formatDuration } from "./format.js";

/** What a fetch, update or build did, for its last line and the `summary` of `--json`. */
export interface RunSummary {
  /** Registry packages the project resolved to (name@version, counted once). */
  resolved: number;
  /** Package contents fetched from a registry in this run. */
  downloaded: number;
  /** Package contents served from the cache without contacting a registry for them. */
  cached: number;
  /** Entries of wkg.lock added, changed or removed. */
  lockChanges: number;
  /** Wall time of the command, milliseconds. */
  ms: number;
}

const CONTENT_KEY = /^sha\d+:/;

/**
 * Counts, from the library's events, what a command downloaded and what came from the cache:
 * content stored into the cache was downloaded; content found there and never stored in this
 * run was a cache hit. Each digest counts once, however often it is read.
 */
export class RunTally {
  private readonly started: number;
  private readonly stored = new Set<string>();
  private readonly hits = new Set<string>();
  private readonly stop: () => void;

  constructor(
    ctx: Context,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
    this.stop = ctx.reporter.observe((event) => this.onEvent(event));
  }

  onEvent(event: WkgEvent): void {
    if (event.type !== "cache" || !CONTENT_KEY.test(event.key)) return;
    if (event.op === "put") this.stored.add(event.key);
    else if (event.op === "hit") this.hits.add(event.key);
  }

  /** Stop counting and total up, given the packages resolved and the lock's changes. */
  finish(resolved: Iterable<string>, lockChanges: number): RunSummary {
    this.stop();
    const cached = [...this.hits].filter((key) => !this.stored.has(key)).length;
    return {
      resolved: new Set(resolved).size,
      downloaded: this.stored.size,
      cached,
      lockChanges,
      ms: Math.round(this.now() - this.started),
    };
  }
}

/** `2 packages resolved (1 downloaded, 1 from the cache), 1 lock change, in 310 ms` */
export function summaryLine(summary: RunSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return (
    `${plural(summary.resolved, "package")} resolved (${summary.downloaded} downloaded, ${summary.cached} from the cache), ` +
    `${plural(summary.lockChanges, "lock change")}, in ${formatDuration(summary.ms)}`
  );
}

/** Print the summary as the command's last status line and return it for `--json`. */
export function reportSummary(ctx: Context, summary: RunSummary): { summary: RunSummary } {
  ctx.reporter.status("Summary", summaryLine(summary));
  return { summary };
}
