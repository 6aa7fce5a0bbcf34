import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { WkgError } from "./errors.js";

export interface FileLockOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** A lock older than this whose owner is gone is taken over (default 10 min). */
  staleMs?: number;
  signal?: AbortSignal;
  /** Called once when we start waiting, so the CLI can say why it is paused. */
  onWait?: (holder: string) => void;
}

/**
 * Run `fn` while holding an exclusive lock named `<path>.lock` (a directory: `mkdir` is atomic
 * on every file system, NFS included). Two wkg processes working on one project or cache take
 * turns instead of interleaving writes. A lock left by a killed process is detected (its pid is
 * gone, or it is older than `staleMs`) and taken over.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lockDir = `${path}.lock`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let delay = 20;
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await tryAcquire(lockDir)) break;
    const holder = await describeHolder(lockDir);
    if (await isStale(lockDir, options.staleMs ?? 600_000)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!told) {
      options.onWait?.(holder);
      told = true;
    }
    if (Date.now() > deadline) {
      throw new WkgError("IO", `timed out waiting for ${lockDir}, held by ${holder}`, {
        hint: `another wkg is working here; if none is running, remove ${lockDir}`,
      });
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Make the lock appear with its owner file already in it (a directory prepared beside it and
 * renamed into place), so a holder killed at any moment never leaves a lock that names no
 * process — one that only the `staleMs` age rule would clear. False when it is held.
 */
async function tryAcquire(lockDir: string): Promise<boolean> {
  const staging = join(dirname(lockDir), `.${basename(lockDir)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await mkdir(staging);
    await writeFile(join(staging, "owner"), JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
    await rename(staging, lockDir);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The lock exists (Windows says EPERM for a directory in the way).
    if (code === "ENOTEMPTY" || code === "EEXIST" || code === "EPERM") return false;
    throw new WkgError("IO", `cannot create lock ${lockDir}: ${(error as Error).message}`, { cause: error });
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
  }
}

async function readOwner(lockDir: string): Promise<{ pid?: number; since?: string } | undefined> {
  try {
    return JSON.parse(await readFile(join(lockDir, "owner"), "utf8"));
  } catch {
    return undefined;
  }
}

async function describeHolder(lockDir: string): Promise<string> {
  const owner = await readOwner(lockDir);
  return owner?.pid ? `process ${owner.pid}` : "another process";
}

async function isStale(lockDir: string, staleMs: number): Promise<boolean> {
  const owner = await readOwner(lockDir);
  if (owner?.pid && owner.pid !== process.pid) {
    try {
      process.kill(owner.pid, 0);
    } catch (error) {
      // ESRCH: no such process (killed mid-write); EPERM means it exists but is not ours.
      if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
    }
  }
  try {
    return Date.now() - (await stat(lockDir)).mtimeMs > staleMs;
  } catch {
    return false;
  }
}
