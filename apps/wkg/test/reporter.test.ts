import { describe, expect, it } from "vitest";
import { Reporter } from "../src/render/reporter.js";
import { createStyle } from "../src/render/style.js";

function reporter(options: { tty: boolean; json?: boolean; verbosity?: number }) {
  let stderr = "";
  let stdout = "";
  const r = new Reporter({
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s), isTTY: options.tty, columns: 80 },
      env: {},
      cwd: "/",
    },
    style: createStyle(false),
    json: options.json ?? false,
    verbosity: options.verbosity ?? 0,
  });
  return { r, out: () => ({ stderr, stdout }) };
}

const progress = (transferred: number, done = false) => ({
  type: "progress" as const,
  id: "x",
  label: "wasi:http@0.2.0",
  transferred,
  total: 1000,
  done,
});

describe("Reporter", () => {
  it("draws progress bars on a TTY and clears them", async () => {
    const { r, out } = reporter({ tty: true });
    r.logger(progress(500));
    expect(out().stderr).toContain("[============            ] 500 B/1000 B");
    r.logger(progress(1000, true));
    expect(out().stderr.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("never draws progress off a TTY, with --json, or with -q", () => {
    for (const options of [{ tty: false }, { tty: true, json: true }, { tty: true, verbosity: -1 }]) {
      const { r, out } = reporter(options);
      r.logger(progress(500));
      expect(out().stderr).toBe("");
    }
  });

  it("renders statuses right-aligned and warnings with their hint; -q silences both", () => {
    const { r, out } = reporter({ tty: false });
    r.status("Fetching", "wasi:http@0.2.0");
    r.warn("careful", "do this");
    expect(out().stderr).toBe("    Fetching wasi:http@0.2.0\nwarning: careful\n   help: do this\n");
    expect(r.warnings).toEqual([{ message: "careful", hint: "do this" }]);
    const quiet = reporter({ tty: false, verbosity: -1 });
    quiet.r.status("Fetching", "x");
    quiet.r.warn("careful");
    expect(quiet.out().stderr).toBe("");
    expect(quiet.r.warnings).toHaveLength(1);
  });

  it("shows debug at -v and HTTP at -vv, never on stdout", () => {
    const { r, out } = reporter({ tty: false, verbosity: 1 });
    r.logger({ type: "debug", message: "d" });
    r.logger({ type: "http", method: "GET", url: "http://x", status: 200, ms: 3 });
    expect(out().stderr).toContain("debug: d");
    expect(out().stderr).not.toContain("http:");
    const vv = reporter({ tty: false, verbosity: 2 });
    vv.r.logger({ type: "http", method: "GET", url: "http://x", status: 200, ms: 3 });
    expect(vv.out().stderr).toContain("http: GET http://x -> 200 (3 ms)");
    expect(vv.out().stdout).toBe("");
  });
});
