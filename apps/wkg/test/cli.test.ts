import { describe, expect, it } from "vitest";
import { runWkg } from "./helpers.js";

describe("wkg frame", () => {
  it("prints its version", async () => {
    const result = await runWkg(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^wkg \d+\.\d+\.\d+\n$/) });
    const json = await runWkg(["--version", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, version: expect.any(String) });
  });

  it("prints help listing commands and global flags", async () => {
    const result = await runWkg(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: wkg [OPTIONS] <COMMAND>");
    expect(result.stdout).toMatch(/config\s+Show or change the wkg configuration/);
    expect(result.stdout).toContain("--color <WHEN>");
  });

  it("prints a command's help, with env vars and examples", async () => {
    const result = await runWkg(["config", "--help"]);
    expect(result.stdout).toContain("Usage: wkg config [OPTIONS]");
    expect(result.stdout).toContain("--config <CONFIG>");
    expect(result.stdout).toContain("env: WKG_CONFIG_FILE");
    expect(result.stdout).toContain("wkg config --default-registry localhost:5000");
  });

  it("exits 2 with help on stderr when no command is given", async () => {
    const result = await runWkg([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: wkg");
    expect(result.stdout).toBe("");
  });

  it("exits 2 for unknown commands and flags, with a hint", async () => {
    const unknown = await runWkg(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "error: unknown command 'frobnicate' for `wkg`\n   help: available: config, get, publish, fetch, build, update, list, tree, why, outdated, oci, login, logout, completions, inspect, wit; see `wkg --help`\n",
    );
    const flag = await runWkg(["config", "--nope"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--nope' (in `wkg config`)");
  });

  it("rejects conflicting flags and bad choices", async () => {
    expect((await runWkg(["config", "--edit", "--show"])).stderr).toContain("--edit cannot be used with --show");
    const color = await runWkg(["--color", "sometimes", "config"]);
    expect(color.code).toBe(2);
    expect(color.stderr).toContain("expected one of: auto, always, never");
  });

  it("renders errors as JSON on stdout with --json", async () => {
    const result = await runWkg(["--json", "nope"]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: {
        code: "USAGE",
        message: "unknown command 'nope' for `wkg`",
        hint: "available: config, get, publish, fetch, build, update, list, tree, why, outdated, oci, login, logout, completions, inspect, wit; see `wkg --help`",
      },
      warnings: [],
    });
  });

  it("colors only when asked or on a TTY without NO_COLOR", async () => {
    expect((await runWkg(["nope"], { tty: true })).stderr).toContain("\x1b[");
    expect((await runWkg(["nope"], { tty: true, env: { NO_COLOR: "1" } })).stderr).not.toContain("\x1b[");
    expect((await runWkg(["--color", "always", "nope"])).stderr).toContain("\x1b[");
    expect((await runWkg(["--color=never", "nope"], { tty: true })).stderr).not.toContain("\x1b[");
  });
});
