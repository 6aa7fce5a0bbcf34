import type { BackendFactory } from "@wasm-pkg/common";
import type { WasmInspector } from "@wasm-pkg/client";

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything a command may touch of its process, injectable for in-process tests. */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdinIsTTY?: boolean;
  /** All of stdin as text (`wkg login --password-stdin`); absent means stdin is not readable. */
  readStdin?: () => Promise<string>;
  /** Aborted on Ctrl-C; commands pass it to every library call. */
  signal?: AbortSignal;
  /** Extra registry protocols for an embedding tool (or a test) that runs `main()` in-process. */
  backends?: Record<string, BackendFactory>;
  /** A WIT decoder to use instead of the bundled one (`@wasm-pkg/wit`); `null` for none. */
  inspector?: WasmInspector | null;
}

export function processIo(): Io {
  const controller = new AbortController();
  let interrupted = false;
  process.on("SIGINT", () => {
    // First Ctrl-C cancels cleanly (temp files are removed); a second one exits at once.
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort(new DOMException("interrupted", "AbortError"));
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: process.stdin.isTTY === true,
    readStdin: async () => {
      let text = "";
      for await (const chunk of process.stdin) text += typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
      return text;
    },
    signal: controller.signal,
  };
}
