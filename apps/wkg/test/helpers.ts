import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { main, type Io } from "../src/main.js";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with captured output and a controlled environment. */
export async function runWkg(
  argv: string[],
  options: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    tty?: boolean;
    backends?: Io["backends"];
    inspector?: Io["inspector"];
    /** Piped to the command's stdin (`--password-stdin`). */
    stdin?: string;
  } = {},
): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false, columns: 100 },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.backends ? { backends: options.backends } : {}),
    ...(options.inspector !== undefined ? { inspector: options.inspector } : {}),
    ...(options.stdin !== undefined ? { readStdin: async () => options.stdin as string, stdinIsTTY: false } : {}),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export const BIN = fileURLToPath(new URL("../bin/wkg.js", import.meta.url));

/** Spawn the built `bin/wkg.js` (needs `pnpm build`), for end-to-end checks of the real process. */
export function spawnWkg(
  argv: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {},
): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH, ...options.env } as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

const COMPONENT_HEADER = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);

/** A component-shaped file of `size` bytes (the component header, then random bytes), for push and pull. */
export function component(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(COMPONENT_HEADER);
  bytes.set(randomBytes(size - COMPONENT_HEADER.length), COMPONENT_HEADER.length);
  return bytes;
}
