import { execFile } from "node:child_process";
import { mkdir, rmdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Command -> the Debian package that provides it. */
const PACKAGES: Record<string, string> = {
  "docker-registry": "docker-registry",
  skopeo: "skopeo",
  openssl: "openssl",
};

const present = new Map<string, Promise<boolean>>();

export function hasCommand(command: string): Promise<boolean> {
  let found = present.get(command);
  if (!found) {
    found = run("sh", ["-c", `command -v ${command}`]).then(
      () => true,
      () => false,
    );
    present.set(command, found);
  }
  return found;
}

/**
 * Make sure the tools an integration test needs are installed: missing ones are installed
 * with apt-get when running as root (as in CI), under a lock so parallel test workers
 * do not fight over dpkg. Otherwise the error says exactly what to install.
 */
export async function ensureCommands(commands: string[]): Promise<void> {
  const missing: string[] = [];
  for (const command of commands) if (!(await hasCommand(command))) missing.push(command);
  if (missing.length === 0) return;
  const packages = missing.map((c) => PACKAGES[c] ?? c);
  const canInstall = process.getuid?.() === 0 && (await hasCommand("apt-get"));
  if (!canInstall) {
    throw new Error(
      `missing ${missing.join(", ")}: install the Debian packages ${packages.join(" ")} (apt-get install ${packages.join(" ")})`,
    );
  }
  await withLock(async () => {
    const still: string[] = [];
    for (const command of missing) {
      present.delete(command);
      if (!(await hasCommand(command))) still.push(PACKAGES[command] ?? command);
    }
    if (still.length === 0) return;
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await run("apt-get", ["update", "-qq"], { env }).catch(() => {});
    await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...still], { env, maxBuffer: 16 * 1024 * 1024 });
    for (const command of missing) present.delete(command);
  });
}

async function withLock(fn: () => Promise<void>): Promise<void> {
  const lock = join(tmpdir(), "wkg-test-apt.lock");
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // A lock left by a killed worker is stale after 10 minutes.
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 10 * 60_000) await rmdir(lock).catch(() => {});
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await fn();
  } finally {
    await rmdir(lock).catch(() => {});
  }
}
