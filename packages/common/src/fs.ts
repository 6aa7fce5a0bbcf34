import { randomBytes } from "node:crypto";
import { type FileHandle, link, lstat, mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, isAbsolute, sep } from "node:path";
import { WkgError, isAbortError } from "./errors.js";

export interface AtomicWriteOptions {
  /** File mode for a new file, e.g. 0o600 for files holding credentials. */
  mode?: number;
  signal?: AbortSignal;
  /** Create missing parent directories (default true). */
  mkdirs?: boolean;
}

/** A temp path beside `target`, so the final rename never crosses a file system. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** `tempPathFor`'s names: the writer's pid is in them. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Remove the temp files (`tempPathFor` names; also staged lock directories) in `dir` whose
 * writer no longer exists: a wkg killed mid-write (SIGKILL, power loss) cannot clean up after
 * itself, so the next write to the directory does. Files of live processes, and anything not
 * named like a temp file, are left alone.
 */
export async function sweepStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    await rm(join(dir, name), { force: true, recursive: true }).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Write a file so that no reader ever sees it half-written: data goes to a temp file in
 * the same directory, is flushed to disk, and is renamed over the target (temp files that
 * killed processes left in that directory are removed first). On any failure
 * (including an abort or a stream error such as a digest mismatch) the temp file is
 * removed and the target is untouched. A stream's chunks are written as they come, several
 * writes in flight, so its producer must not reuse a chunk once handed over (web streams never do).
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  if (options.mkdirs !== false) await mkdir(dirname(target), { recursive: true });
  await sweepStaleTemps(dirname(target));
  const temp = tempPathFor(target);
  const handle = await open(temp, "wx", options.mode ?? 0o666);
  try {
    if (typeof data === "string" || data instanceof Uint8Array) {
      await handle.writeFile(data);
    } else {
      await writeStream(handle, data, options.signal);
    }
    options.signal?.throwIfAborted();
    await handle.sync();
    await handle.close();
    await rename(temp, target);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true }).catch(() => {});
    if (isAbortError(error) || error instanceof WkgError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new WkgError("IO", `failed to write ${target}: ${reason}`, { cause: error });
  }
}

/** Chunks are gathered into writes of about this size: network chunks are 16-64 KiB, and a syscall per chunk costs. */
const GATHER_BYTES = 1024 * 1024;
/** Writes in flight at once, so the disk works while the next bytes arrive; bounds memory to ~4 MiB. */
const WRITES_IN_FLIGHT = 4;

/**
 * Write a stream to `handle` without waiting for each write before reading on: chunks are
 * gathered (no copy, `writev`) and written at explicit offsets, a few writes in flight at once.
 * Resolves when every byte is written; the first error (the stream's or a write's) rejects.
 */
async function writeStream(
  handle: FileHandle,
  data: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  let position = 0;
  const flush = () => {
    const write = writevAll(handle, gathered, position).then(
      () => {
        inflight.delete(write);
      },
      (error: unknown) => {
        failure ??= { error };
        inflight.delete(write);
      },
    );
    inflight.add(write);
    position += gatheredBytes;
    gathered = [];
    gatheredBytes = 0;
  };
  try {
    for await (const chunk of data as AsyncIterable<Uint8Array>) {
      signal?.throwIfAborted();
      if (failure) throw failure.error;
      if (chunk.byteLength === 0) continue;
      gathered.push(chunk);
      gatheredBytes += chunk.byteLength;
      if (gatheredBytes >= GATHER_BYTES) {
        flush();
        if (inflight.size >= WRITES_IN_FLIGHT) await Promise.race(inflight);
      }
    }
    if (gatheredBytes > 0) flush();
  } finally {
    // Never leave a write running on a handle the caller is about to close.
    await Promise.all(inflight);
  }
  if (failure) throw failure.error;
}

async function writevAll(handle: FileHandle, chunks: Uint8Array[], position: number): Promise<void> {
  let pending = chunks;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending as NodeJS.ArrayBufferView[], position);
    position += bytesWritten;
    // A short write (rare: a full disk, a signal) resumes after the bytes that did land.
    let skip = bytesWritten;
    while (pending.length > 0 && skip >= (pending[0] as Uint8Array).byteLength) {
      skip -= (pending[0] as Uint8Array).byteLength;
      pending = pending.slice(1);
    }
    if (skip > 0) pending = [(pending[0] as Uint8Array).subarray(skip), ...pending.slice(1)];
    if (bytesWritten === 0 && pending.length > 0) throw new Error("the disk took no bytes (short write)");
  }
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * Validate a string from the network (package name, version, tag) before it becomes one
 * path segment. Rejects traversal, separators, control characters and names Windows reserves.
 */
export function safeSegment(value: string, what = "path segment"): string {
  const fail = (reason: string): never => {
    throw new WkgError("UNSAFE_PATH", `refusing to use ${JSON.stringify(value)} as a ${what}: ${reason}`, {
      hint: "the name came from a registry or a file and would write outside the intended directory; report it to the publisher",
    });
  };
  if (value.length === 0) fail("it is empty");
  if (value === "." || value === "..") fail("it is a relative directory reference");
  if (/[/\\]/.test(value)) fail("it contains a path separator");
  if (/[\u0000-\u001f\u007f]/.test(value)) fail("it contains control characters");
  if (/[<>:"|?*]/.test(value) && process.platform === "win32") fail("it contains characters Windows forbids");
  if (WINDOWS_RESERVED.test(value)) fail("it is a reserved device name");
  if (value.length > 255) fail("it is longer than 255 characters");
  return value;
}

/** Join segments under `root` and prove the result stays inside it. */
export function joinInside(root: string, ...segments: string[]): string {
  const base = resolve(root);
  const target = resolve(base, ...segments);
  const rel = relative(base, target);
  // `..wasm` is a file inside; only `..` itself or `../…` leaves the root.
  if (rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))) return target;
  throw new WkgError("UNSAFE_PATH", `refusing to write ${target}: it is outside ${base}`);
}

/**
 * Move a finished temp file to `target`. With `overwrite` this is a plain rename. Without it
 * the move is a hard link, which fails atomically when `target` exists, so two writers can
 * never both "win" and a check-then-rename race cannot clobber a file; file systems without
 * hard links fall back to check-then-rename. Returns false (and removes the temp file) when
 * `target` already exists and was kept.
 */
export async function placeFile(temp: string, target: string, options: { overwrite?: boolean } = {}): Promise<boolean> {
  try {
    if (options.overwrite) {
      await rename(temp, target);
      return true;
    }
    try {
      await link(temp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw error;
      if (await exists(target)) return false;
      await rename(temp, target);
      return true;
    }
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WkgError("IO", `failed to move ${temp} to ${target}: ${reason}`, { cause: error });
  } finally {
    await rm(temp, { force: true }).catch(() => {});
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
