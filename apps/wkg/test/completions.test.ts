import { execFileSync, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../src/cli/commands.js";
import type { CommandSpec } from "../src/cli/spec.js";
import { runWkg } from "./helpers.js";

afterAll(cleanupTempDirs);

const installed = (shell: string) => spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;

/** Every command path of the table, with the long flags it takes. */
function paths(specs: readonly CommandSpec[], prefix: string[] = []): Array<{ path: string[]; flags: string[]; subs: string[] }> {
  return specs
    .filter((s) => !s.hidden)
    .flatMap((s) => [
      {
        path: [...prefix, s.name],
        flags: Object.entries(s.options ?? {})
          .filter(([, o]) => !o.hidden)
          .map(([name]) => `--${name}`),
        subs: (s.subcommands ?? []).filter((c) => !c.hidden).map((c) => c.name),
      },
      ...paths(s.subcommands ?? [], [...prefix, s.name]),
    ]);
}

describe("wkg completions", () => {
  const scripts: Record<string, string> = {};
  beforeAll(async () => {
    for (const shell of ["bash", "zsh", "fish", "powershell"]) {
      const result = await runWkg(["completions", shell]);
      expect(result.code).toBe(0);
      scripts[shell] = result.stdout;
    }
  });

  it("refuses a shell it does not know, naming the ones it does", async () => {
    const result = await runWkg(["completions", "tcsh"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown shell 'tcsh'");
    expect(result.stderr).toContain("bash, zsh, fish, powershell");
  });

  describe("bash (run for real)", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await tempDir();
      await writeFile(join(dir, "script.bash"), scripts.bash as string);
      await writeFile(join(dir, "app.wasm"), "");
    });

    /** COMPREPLY after `_wkg` for the words typed, the cursor on the last one. */
    function complete(...words: string[]): string[] {
      const quoted = words.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ");
      const program = `source ./script.bash; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _wkg; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const out = execFileSync("bash", ["--norc", "--noprofile", "-c", program], { cwd: dir, encoding: "utf8" });
      return out.split("\n").filter(Boolean).sort();
    }

    it("is valid bash", () => {
      expect(spawnSync("bash", ["-n", join(dir, "script.bash")]).status).toBe(0);
    });

    it("completes commands, subcommands, flags and flag values", () => {
      expect(complete("wkg", "")).toEqual(
        COMMANDS.filter((c) => !c.hidden)
          .map((c) => c.name)
          .sort(),
      );
      expect(complete("wkg", "lo")).toEqual(["login", "logout"]);
      expect(complete("wkg", "oci", "")).toEqual(["pull", "push"]);
      expect(complete("wkg", "wit", "f")).toEqual(["fetch"]);
      expect(complete("wkg", "get", "--format", "")).toEqual(["auto", "wasm", "wit"]);
      expect(complete("wkg", "get", "--format", "w")).toEqual(["wasm", "wit"]);
      // Bash splits `--format=w` at the `=`.
      expect(complete("wkg", "get", "--format", "=", "w")).toEqual(["wasm", "wit"]);
      expect(complete("wkg", "--color", "a")).toEqual(["always", "auto"]);
      expect(complete("wkg", "fetch", "-t", "")).toEqual(["wasm", "wit"]);
      expect(complete("wkg", "login", "--pass")).toEqual(["--password", "--password-stdin"]);
      expect(complete("wkg", "oci", "pull", "--ins")).toEqual(["--insecure"]);
      expect(complete("wkg", "-v", "oci", "push", "--an")).toEqual(["--annotation"]);
      expect(complete("wkg", "completions", "")).toEqual(["bash", "fish", "powershell", "zsh"]);
      expect(complete("wkg", "completions", "bash", "--j")).toEqual(["--json"]);
    });

    it("skips a flag's value when finding the command, and offers files where a path goes", () => {
      // `oci` here is the value of -o, not the `oci` command: `wkg get` has no subcommands, so files.
      expect(complete("wkg", "get", "-o", "oci", "")).toEqual(["app.wasm", "script.bash"]);
      expect(complete("wkg", "inspect", "app")).toEqual(["app.wasm"]);
      expect(complete("wkg", "get", "--output", "sc")).toEqual(["script.bash"]);
    });

    it("offers every flag of every command in the table", () => {
      const all = paths(COMMANDS);
      const program = `source ./script.bash; ${all.map((p) => `echo "$(_wkg_flags "wkg ${p.path.join(" ")}")|$(_wkg_subcommands "wkg ${p.path.join(" ")}")"`).join("; ")}`;
      const lines = execFileSync("bash", ["--norc", "--noprofile", "-c", program], { cwd: dir, encoding: "utf8" }).trimEnd().split("\n");
      expect(lines).toHaveLength(all.length);
      all.forEach((p, i) => {
        const [flags, subs] = (lines[i] as string).split("|") as [string, string];
        for (const flag of [...p.flags, "--help", "--json"]) expect(flags.split(" "), `wkg ${p.path.join(" ")}`).toContain(flag);
        expect(subs.split(" ").filter(Boolean)).toEqual(p.subs);
      });
    });
  });

  it("zsh: a #compdef function using the same lookups (checked by zsh -n when zsh is installed)", async () => {
    const script = scripts.zsh as string;
    expect(script.startsWith("#compdef wkg\n")).toBe(true);
    expect(script).toContain('"wkg get|--format") echo "auto wasm wit" ;;');
    expect(script).toContain("'login:Log in to an OCI registry");
    expect(script).toContain("compdef _wkg wkg");
    if (installed("zsh")) {
      const dir = await tempDir();
      await writeFile(join(dir, "_wkg"), script);
      expect(spawnSync("zsh", ["-n", join(dir, "_wkg")]).status).toBe(0);
    }
  });

  it("fish: one complete line per subcommand and flag, conditioned on the command path", async () => {
    const script = scripts.fish as string;
    expect(script).toContain("complete -c wkg -n '__wkg_at \\'wkg\\'' -a 'login' -d 'Log in to an OCI registry");
    expect(script).toContain("complete -c wkg -n '__wkg_at \\'wkg get\\'' -l format -x -a 'auto wasm wit'");
    expect(script).toContain("complete -c wkg -n '__wkg_at \\'wkg oci pull\\'' -s o -l output -r -F");
    expect(script).toContain("complete -c wkg -n '__wkg_at \\'wkg get\\'' -l registry -x -d");
    expect(script).toContain("complete -c wkg -n '__wkg_at \\'wkg completions\\'' -a 'fish'");
    if (installed("fish")) {
      const dir = await tempDir();
      await writeFile(join(dir, "wkg.fish"), script);
      expect(spawnSync("fish", ["-n", join(dir, "wkg.fish")]).status).toBe(0);
    }
  });

  it("powershell: a native argument completer with the same tables", async () => {
    const script = scripts.powershell as string;
    expect(script).toContain("Register-ArgumentCompleter -Native -CommandName wkg -ScriptBlock {");
    expect(script).toContain("'wkg get|--format' = @('auto', 'wasm', 'wit')");
    expect(script).toContain("'wkg oci' = @('pull', 'push')");
    if (installed("pwsh")) {
      const dir = await tempDir();
      await writeFile(join(dir, "wkg.ps1"), script);
      const check = spawnSync("pwsh", ["-NoProfile", "-Command", `. '${join(dir, "wkg.ps1")}'`]);
      expect(check.status).toBe(0);
    }
  });
});
