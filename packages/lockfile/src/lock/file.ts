import { readFile } from "node:fs/promises";
import { WkgError, writeFileAtomic } from "@wasm-pkg/common";
import { parseLock } from "./parse.js";
import { serializeLock } from "./serialize.js";
import { type LockFile, emptyLock } from "./types.js";

/** Read a lock file; a missing file is an empty lock (nothing is created on disk). */
export async function readLockFile(path: string): Promise<{ lock: LockFile; text: string | undefined }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { lock: emptyLock(), text: undefined };
    throw new WkgError("IO", `failed to read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return { lock: parseLock(text, path), text };
}

/** Write the lock atomically, only when its bytes change. Returns whether it wrote. */
export async function writeLockFile(path: string, lock: LockFile, previousText?: string): Promise<boolean> {
  const text = serializeLock(lock);
  if (text === previousText) return false;
  await writeFileAtomic(path, text);
  return true;
}
