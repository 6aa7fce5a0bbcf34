import { readFile, readdir } from "node:fs/promises";
import { basename, dirname, join, normalize, relative, resolve } from "node:path";
import { WkgError, locateKey } from "@wasm-pkg/common";
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
  /** The member manifest that named this root with `[workspace] root`, when that is how it was found. */
  declaredBy?: LoadedManifest;
}

/**
 * The workspace a directory belongs to (upstream §9.4): the nearest manifest, if it declares
 * `[workspace]`; else the root it names with `[workspace] root = "…"` (upstream's member form,
 * which may point outside the ancestors); else the first ancestor manifest whose members
 * include that directory.
 */
export async function findWorkspace(cwd: string): Promise<Workspace | undefined> {
  const nearest = await findNearestManifest(cwd);
  if (!nearest) return undefined;
  if (nearest.manifest.workspace) return { root: nearest, members: await resolveMembers(nearest.dir, nearest.manifest.workspace.members) };
  if (nearest.manifest.workspaceRoot !== undefined) return await declaredWorkspace(nearest, nearest.manifest.workspaceRoot);
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
 * The workspace a member names with `[workspace] root`: the path (relative to the member's
 * manifest) is the root's directory or its `wkg.toml`, which must declare `[workspace] members`
 * including the member, so that runs from the root and from the member share one complete lock.
 */
async function declaredWorkspace(member: LoadedManifest, root: string): Promise<Workspace> {
  const memberPath = member.path as string;
  const at = async () => {
    const line = locateKey((await readIfExists(memberPath)) ?? "", ["workspace", "root"]);
    return `${memberPath}${line ? `:${line}` : ""}`;
  };
  const target = resolve(member.dir, root);
  const path = basename(target) === MANIFEST_FILE_NAME ? target : join(target, MANIFEST_FILE_NAME);
  const text = await readIfExists(path);
  if (text === undefined) {
    throw new WkgError("INVALID_MANIFEST", `invalid manifest: ${await at()}: workspace.root: there is no ${path}`, {
      hint: "point `root` at the workspace root's directory (or its wkg.toml), relative to this file",
    });
  }
  const manifest = parseManifest(text, path);
  if (!manifest.workspace) {
    throw new WkgError("INVALID_MANIFEST", `invalid manifest: ${await at()}: workspace.root: ${path} is not a workspace root`, {
      hint: "a workspace root's wkg.toml lists its members: [workspace] members = [...]",
    });
  }
  const dir = dirname(path);
  const members = await resolveMembers(dir, manifest.workspace.members);
  if (!members.includes(normalize(member.dir))) {
    throw new WkgError(
      "INVALID_MANIFEST",
      `invalid manifest: ${await at()}: workspace.root names ${path}, whose [workspace] members do not include ${member.dir}`,
      { hint: `add "${relative(dir, member.dir) || "."}" to [workspace] members in ${path}` },
    );
  }
  return { root: { manifest, path, dir }, members, declaredBy: member };
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
