import { readFile, readdir } from "node:fs/promises";
import { dirname, join, normalize, resolve } from "node:path";
import { WkgError } from "@wasm-pkg/common";
import { globDirs, isGlob } from "./glob.js";
import { parseManifest } from "./parse.js";
import { MANIFEST_FILE_NAME, type Manifest } from "./types.js";

export interface LoadedManifest {
  manifest: Manifest;
  /** The file's path, or undefined when there was none (a default manifest). */
  path: string | undefined;
  dir: string;
}

/** `<dir>/wkg.toml`, or the empty default when the file does not exist. */
export async function loadManifest(dir: string): Promise<LoadedManifest> {
  const path = join(dir, MANIFEST_FILE_NAME);
  const text = await readIfExists(path);
  if (text === undefined) return { manifest: { overrides: {}, warnings: [] }, path: undefined, dir };
  return { manifest: parseManifest(text, path), path, dir };
}

/** The nearest `wkg.toml` at or above `start`. */
export async function findNearestManifest(start: string): Promise<LoadedManifest | undefined> {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const path = join(dir, MANIFEST_FILE_NAME);
    const text = await readIfExists(path);
    if (text !== undefined) return { manifest: parseManifest(text, path), path, dir };
    if (dirname(dir) === dir) return undefined;
  }
}

export interface Workspace {
  root: LoadedManifest;
  /** Absolute member directories, in member order, globs expanded. */
  members: string[];
}

/**
 * The workspace a directory belongs to (upstream §9.4): the nearest manifest, if it declares
 * `[workspace]`; else the first ancestor manifest whose members include that directory.
 */
export async function findWorkspace(cwd: string): Promise<Workspace | undefined> {
  const nearest = await findNearestManifest(cwd);
  if (!nearest) return undefined;
  if (nearest.manifest.workspace) return { root: nearest, members: await resolveMembers(nearest.dir, nearest.manifest.workspace.members) };
  for (let dir = dirname(nearest.dir); ; dir = dirname(dir)) {
    const path = join(dir, MANIFEST_FILE_NAME);
    const text = await readIfExists(path);
    if (text !== undefined) {
      const manifest = parseManifest(text, path);
      if (manifest.workspace) {
        const members = await resolveMembers(dir, manifest.workspace.members);
        if (members.includes(normalize(nearest.dir))) return { root: { manifest, path, dir }, members };
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Member paths made absolute. A glob keeps only directories holding at least one `.wit`
 * file; a glob that matches nothing, and any literal entry, stays as written.
 */
export async function resolveMembers(rootDir: string, members: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const member of members) {
    if (!isGlob(member)) {
      out.push(normalize(resolve(rootDir, member)));
      continue;
    }
    const matches: string[] = [];
    for (const dir of await globDirs(rootDir, member)) if (await hasWitFile(dir)) matches.push(normalize(dir));
    out.push(...(matches.length ? matches : [normalize(resolve(rootDir, member))]));
  }
  return [...new Set(out)];
}

async function hasWitFile(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir, { withFileTypes: true })).some((e) => e.isFile() && e.name.endsWith(".wit"));
  } catch {
    return false;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new WkgError("IO", `failed to read ${path}: ${(error as Error).message}`, { cause: error });
  }
}
