import { describe, expect, it } from "vitest";
import { formatEta } from "../src/render/eta.js";
import { Reporter } from "../src/render/reporter.js";
import { createStyle } from "../src/render/style.js";

describe("formatEta", () => {
  it("gives the time left at the average rate so far", () => {
    // 3 of 10 MB in 1.5 s: 2 MB/s, 7 MB left.
    expect(formatEta(3_000_000, 10_000_000, 1.5)).toBe("4s");
    expect(formatEta(1_000, 100_000, 2)).toBe("3m18s");
    expect(formatEta(1_000, 10_000_000, 2)).toBe("5h33m");
    expect(formatEta(60, 120, 60)).toBe("1m00s");
  });

  it("says nothing under a second, for an unknown size, before the first byte, or when done", () => {
    expect(formatEta(3_000_000, 10_000_000, 0.9)).toBeUndefined();
    expect(formatEta(3_000_000, undefined, 5)).toBeUndefined();
    expect(formatEta(0, 10_000_000, 5)).toBeUndefined();
    expect(formatEta(10, 10, 5)).toBeUndefined();
  });
});

describe("the progress bar's ETA", () => {
  function tty() {
    let stderr = "";
    let clock = 10_000;
    const reporter = new Reporter({
      io: { stdout: { write: () => {} }, stderr: { write: (s: string) => (stderr += s), isTTY: true, columns: 120 }, env: {}, cwd: "/" },
      style: createStyle(false),
      json: false,
      verbosity: 0,
      now: () => clock,
    });
    const progress = (transferred: number) =>
      reporter.logger({ type: "progress", id: "a", label: "wasi:http@0.2.0", transferred, total: 10_000_000 });
    return {
      progress,
      advance: (ms: number) => (clock += ms),
      last: () => stderr.split("\r\x1b[2K").at(-1) as string,
    };
  }

  it("appears once a transfer has run over a second, from its rate", () => {
    const t = tty();
    t.progress(0);
    t.advance(500);
    t.progress(1_000_000);
    expect(t.last()).toContain("977 KiB/9.5 MiB");
    expect(t.last()).not.toContain("ETA");
    t.advance(1000);
    t.progress(3_000_000);
    expect(t.last()).toMatch(/2\.9 MiB\/9\.5 MiB 1\.9 MiB\/s ETA 4s wasi:http@0\.2\.0$/);
  });
});
