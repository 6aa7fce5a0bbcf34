import { spawn } from "node:child_process";
import { WkgError, isAbortError } from "@wasm-pkg/common";

export interface HelperRun {
  /** The helper's name as the config names it (`desktop`, `pass`, …): the program is `docker-credential-<name>`. */
  name: string;
  /** The protocol's verb: `get`, `store`, `erase`. */
  action: "get" | "store" | "erase";
  /** What the protocol sends on stdin: a server URL, or the `store` JSON document. */
  input: string;
  /** The Docker config that named the helper, for messages. */
  configPath: string;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal | undefined;
  /** A helper may prompt a keychain; default 30 s. */
  timeoutMs?: number | undefined;
}

export interface HelperResult {
  program: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `docker-credential-<name> <action>` with `input` on stdin, as the docker-credential-helpers
 * protocol says, and collect what it prints. A helper that cannot be started is a CREDENTIALS
 * error naming the program and the config that asked for it; its exit code is the caller's to judge.
 */
export async function runCredentialHelper(run: HelperRun): Promise<HelperResult> {
  const program = `docker-credential-${run.name}`;
  const timeoutMs = run.timeoutMs ?? 30_000;
  try {
    return await new Promise<HelperResult>((resolve, reject) => {
      const child = spawn(program, [run.action], {
        env: run.env as NodeJS.ProcessEnv,
        stdio: ["pipe", "pipe", "pipe"],
        ...(run.signal ? { signal: run.signal } : {}),
      });
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ program, code, stdout, stderr });
      });
      child.stdin.on("error", () => {});
      child.stdin.end(run.input);
    });
  } catch (error) {
    if (isAbortError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new WkgError(
      "CREDENTIALS",
      `failed to run credential helper ${program}: ${code === "ENOENT" ? "not found on PATH" : (error as Error).message}`,
      {
        hint: `install ${program}, or remove it from ${run.configPath} (credHelpers/credsStore)`,
        cause: error,
      },
    );
  }
}
