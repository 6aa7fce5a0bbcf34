import { lstat, readFile, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

/** Every entry under `dir` (symlinks not followed): its type, mode, and content or target. */
export async function snapshot(dir: string, prefix = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(join(dir, prefix))).sort()) {
    const path = prefix ? `${prefix}/${name}` : name;
    const info = await lstat(join(dir, path));
    const mode = (info.mode & 0o7777).toString(8);
    if (info.isSymbolicLink()) out[path] = `link ${await readlink(join(dir, path))}`;
    else if (info.isDirectory()) {
      out[path] = `dir ${mode}`;
      Object.assign(out, await snapshot(dir, path));
    } else out[path] = `file ${mode} ${(await readFile(join(dir, path))).toString("base64")}`;
  }
  return out;
}
