import { type Io, main } from "wkg";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the CLI in-process with its own environment (no HOME leakage: config, cache and warg
 * state all point into the test's directories) and captured output.
 */
export async function wkg(argv: string[], env: Record<string, string>, cwd = process.cwd(), extra: Partial<Io> = {}): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env,
    cwd,
    ...extra,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
