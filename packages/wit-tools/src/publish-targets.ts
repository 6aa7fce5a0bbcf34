import { open, readdir, stat } from "node:fs/promises";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { WkgError, isWkgError } from "@wasm-pkg/common";
import { LOCK_FILE_NAME, type LoadedManifest, findNearestManifest, findWorkspace } from "@wasm-pkg/lockfile";
import { type LocalPackage, readLocalPackage } from "./local.js";

/** Where a directory being published builds: its WIT directory, manifest and lock. */
export interface PublishProject {
  witDir: string;
  manifest: LoadedManifest;
  lockPath: string;
  /** The workspace's members when the directory is one of them (they share the root's lock). */
  members?: string[];
}

/** One path of a publish: a directory to build first, or a WIT package binary to publish as is. */
export interface PublishTarget {
  /** The path as given, made absolute. */
  path: string;
  package: LocalPackage;
  /** Every package (`ns:name`) it uses, so the plan can put the set's own first. */
  uses: string[];
  /** Set for a directory. */
  project?: PublishProject;
}

/**
 * Read a path of `wkg publish`: a WIT directory, a project directory holding `wit/` (as
 * upstream, it is built before publishing), or a `.wasm` WIT package. A directory's manifest is
 * the nearest `wkg.toml` at or above it and its lock sits beside that manifest (beside the
 * project without one); a workspace member uses the root's manifest and lock, as `wkg build`.
 */
export async function readPublishTarget(path: string, cwd: string): Promise<PublishTarget> {
  const absolute = resolve(cwd, path);
  const shown = relative(cwd, absolute) || ".";
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(absolute);
  } catch (error) {
    throw new WkgError("IO", `cannot publish ${shown}: no such file or directory`, { cause: error });
  }
  if (!info.isDirectory()) return await fileTarget(absolute, shown);

  const witDir = (await hasWitFiles(absolute)) || !(await hasWitFiles(join(absolute, "wit"))) ? absolute : join(absolute, "wit");
  if (!(await hasWitFiles(witDir))) {
    throw new WkgError("WIT_RESOLVE", `cannot publish ${shown}: it holds no .wit files, nor a wit/ directory with some`, {
      hint: "pass a WIT directory, a project directory with wit/, or a .wasm WIT package (a whole workspace: --workspace)",
    });
  }
  const pkg = await readLocalPackage(witDir, relative(cwd, witDir) || ".");
  return { path: absolute, package: pkg, uses: pkg.foreign.map((f) => f.name), project: await projectOf(witDir) };
}

async function projectOf(witDir: string): Promise<PublishProject> {
  const workspace = await findWorkspace(witDir);
  if (workspace?.members.includes(normalize(witDir))) {
    return { witDir, manifest: workspace.root, lockPath: join(workspace.root.dir, LOCK_FILE_NAME), members: workspace.members };
  }
  const nearest = await findNearestManifest(witDir);
  if (nearest) return { witDir, manifest: nearest, lockPath: join(nearest.dir, LOCK_FILE_NAME) };
  const dir = dirname(witDir);
  return { witDir, manifest: { manifest: { overrides: {}, warnings: [] }, path: undefined, dir }, lockPath: join(dir, LOCK_FILE_NAME) };
}

async function fileTarget(path: string, shown: string): Promise<PublishTarget> {
  const head = new Uint8Array(4);
  const file = await open(path, "r");
  try {
    await file.read(head, 0, 4, 0);
  } finally {
    await file.close();
  }
  if (!(head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d)) {
    throw new WkgError("INVALID_PACKAGE", `cannot publish ${shown}: it is not a wasm binary`, {
      hint: "pass a WIT package binary (`wkg build` makes one), or its WIT directory to have it built",
    });
  }
  let pkg: LocalPackage;
  try {
    pkg = await readLocalPackage(path, shown);
  } catch (error) {
    if (isWkgError(error, "INVALID_PACKAGE")) {
      throw new WkgError("INVALID_PACKAGE", `${shown} is a component: several paths and --workspace publish WIT packages`, {
        hint: `publish a component on its own: wkg publish ${shown} --package <namespace>:<name>@<version>`,
        cause: error,
      });
    }
    throw error;
  }
  // A binary carries the packages it uses; every one but itself is a dependency.
  const uses = pkg.provides.map((p) => p.replace(/@.*$/, "")).filter((n) => n !== pkg.name);
  return { path, package: pkg, uses };
}

async function hasWitFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir, { withFileTypes: true })).some((e) => e.isFile() && e.name.endsWith(".wit"));
  } catch {
    return false;
  }
}
