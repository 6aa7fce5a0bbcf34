import { randomBytes } from "node:crypto";
import { link, lstat, mkdir, open, rename, rm } from "node:fs/promises";
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

/**
 * Write a file so that no reader ever sees it half-written: data goes to a temp file in
 * the same directory, is flushed to disk, and is renamed over the target. On any failure
 * (including an abort or a stream error such as a digest mismatch) the temp file is
 * removed and the target is untouched.
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  if (options.mkdirs !== false) await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const handle = await open(temp, "wx", options.mode ?? 0o666);
  try {
    if (typeof data === "string" || data instanceof Uint8Array) {
      await handle.writeFile(data);
    } else {
      for await (const chunk of data as AsyncIterable<Uint8Array>) {
        options.signal?.throwIfAborted();
        await writeAll(handle, chunk);
      }
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

async function writeAll(handle: import("node:fs/promises").FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
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
