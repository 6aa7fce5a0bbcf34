// Measuring helpers for `pnpm bench`: every number is a median over several runs, and every
// subject is timed alternately with its baseline, so the noise of a shared machine hits both alike.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const WKG = `${root}apps/wkg/bin/wkg.js`;
const TIME = "/usr/bin/time";

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** A shell-safe rendering of a command, for RESULTS.md. */
export function show([cmd, args]) {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ");
}

/**
 * Run a command once; wall time in ms and, when GNU time is installed (Debian `time`), the peak
 * RSS in KiB of the largest process it ran.
 */
export function runOnce([cmd, args], options = {}) {
  const rssFile = join(tmpdir(), `wkg-bench-rss-${process.pid}`);
  const measureRss = options.rss !== false && existsSync(TIME);
  const argv = measureRss ? [TIME, ["-f", "%M", "-o", rssFile, cmd, ...args]] : [cmd, args];
  const started = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv[1], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${show([cmd, args])} failed (${result.status}): ${result.stderr}`);
  let rssKiB;
  if (measureRss) {
    rssKiB = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
    rmSync(rssFile, { force: true });
  }
  return { ms, rssKiB };
}

/**
 * Time several commands round-robin, `runs` times each after one warm-up round.
 * An entry is `{ label, cmd, before?, env?, cwd?, rss? }`; `cmd` may be a function of the run index (fresh
 * names per run), and `before` runs untimed ahead of each run (clearing caches and outputs).
 * Returns per entry the median ms, median peak RSS (KiB) and the command shown.
 */
export function measure(entries, runs) {
  const samples = entries.map(() => ({ ms: [], rss: [] }));
  for (let round = -1; round < runs; round++) {
    for (const [i, entry] of entries.entries()) {
      entry.before?.(round);
      const cmd = typeof entry.cmd === "function" ? entry.cmd(round) : entry.cmd;
      const { ms, rssKiB } = runOnce(cmd, entry);
      if (round < 0) continue;
      samples[i].ms.push(ms);
      if (rssKiB !== undefined) samples[i].rss.push(rssKiB);
    }
  }
  return entries.map((entry, i) => ({
    label: entry.label,
    command: show(typeof entry.cmd === "function" ? entry.cmd(0) : entry.cmd),
    ms: median(samples[i].ms),
    minMs: Math.min(...samples[i].ms),
    rssMiB: samples[i].rss.length ? median(samples[i].rss) / 1024 : undefined,
  }));
}

/** A table row: `subject` against `baseline` (both results of `measure`). */
export function row(name, baseline, subject, extra = {}) {
  const unit = extra.unit ?? "ms";
  const value = (r) => (unit === "MiB" ? r.rssMiB : r.ms);
  return {
    name,
    baseline: baseline.label,
    subject: subject.label,
    baseValue: value(baseline),
    subjectValue: value(subject),
    unit,
    ratio: value(subject) / value(baseline),
    commands: [baseline.command, subject.command],
    ...extra,
  };
}

/** Alternate baseline and subject (`[cmd, args]` each) and make one row of it. */
export function compare(name, baseline, subject, runs = 21, extra = {}) {
  const [a, b] = measure(
    [
      { label: extra.baselineLabel ?? show(baseline), cmd: baseline, rss: false, env: extra.env },
      { label: extra.subjectLabel ?? show(subject), cmd: subject, rss: false, env: extra.env },
    ],
    runs,
  );
  return row(name, a, b, extra);
}

/** In-process timing: median of `runs` calls after warm-up, baseline and subject alternating. */
export async function compareInProcess(name, baseline, subject, runs = 61) {
  const time = async (f) => {
    const started = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  for (let i = 0; i < 20; i++) {
    await baseline.run();
    await subject.run();
  }
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    a.push(await time(baseline.run));
    b.push(await time(subject.run));
  }
  return {
    name,
    baseline: baseline.label,
    subject: subject.label,
    baseValue: median(a),
    subjectValue: median(b),
    unit: "ms",
    ratio: median(b) / median(a),
    commands: [`(in process) ${baseline.label}`, `(in process) ${subject.label}`],
  };
}

/** Whether a row meets its target: `max` ratio, `below` (ratio under it), or `maxMs` absolute. */
export function verdict(r) {
  if (r.target === undefined) return "";
  const t = r.target;
  if (t.maxMs !== undefined) return `< ${t.maxMs} ms ${r.subjectValue < t.maxMs ? "✓" : "✗"}`;
  if (t.below !== undefined) return `< ${t.below}x ${r.ratio < t.below ? "✓" : "✗"}`;
  return `≤ ${t.max}x ${r.ratio <= t.max ? "✓" : "✗"}`;
}
