import { readFile, readdir } from "node:fs/promises";
import { join, resolve as resolvePath } from "node:path";
import { WkgError, isWkgError, noopLogger } from "@wasm-pkg/common";
import { lockEntries, readLockFile } from "@wasm-pkg/lockfile";
import { resolveWitDir } from "@wasm-pkg/wit";
import { readManaged } from "./deps-dir.js";
import { projectResolve } from "./generate.js";
import { type DependencyGraph, type GraphInput, buildGraph } from "./graph.js";
import { type LocalPackage, readLocalPackage, readUserDeps, readWitSources } from "./local.js";
import { type ProjectOptions, resolveProject } from "./project.js";

export interface GraphOptions extends Omit<ProjectOptions, "lock" | "witDir" | "locals" | "update" | "offline"> {
  /** One package, or every workspace member (they resolve each other from disk). */
  witDirs: string[];
  lockPath: string;
  workspace?: boolean;
}

/**
 * The dependency graph of each WIT directory, without the network: registry packages come
 * from `wkg.lock` and the cache. When the cache does not have them (a fresh clone with
 * `wit/deps` committed, another machine's cache), the graph is read from `wit/deps` as `wkg
 * fetch` left it, with a warning; with neither, the error says to run `wkg fetch`.
 */
export async function projectGraphs(options: GraphOptions): Promise<DependencyGraph[]> {
  const { lock } = await readLockFile(options.lockPath);
  const members: LocalPackage[] = options.workspace ? await Promise.all(options.witDirs.map((dir) => readLocalPackage(dir))) : [];
  const graphs: DependencyGraph[] = [];
  for (const dir of options.witDirs) {
    const witDir = resolvePath(dir);
    const depsDir = join(witDir, "deps");
    const depsFiles = await readDepsFiles(depsDir);
    let input: GraphInput;
    try {
      const project = await resolveProject({ ...options, witDir, lock, locals: members, offline: true });
      const { resolve, root } = projectResolve(project);
      const locals = [...project.locals, ...project.userDeps];
      input = { resolve, root, rootFiles: project.root.files, locals, locked: lockEntries(project.lock), depsDir, depsFiles };
    } catch (error) {
      if (!isWkgError(error, "OFFLINE")) throw error;
      if (depsFiles.size === 0) {
        throw new WkgError(
          "OFFLINE",
          `the dependencies of ${witDir} are not all in wkg.lock and the cache, and ${depsDir} holds no fetched packages to read instead (${error.message})`,
          {
            hint: "run `wkg fetch` once to resolve and download the dependencies",
            cause: error,
          },
        );
      }
      (options.logger ?? noopLogger)({ type: "warn", message: `${error.message}; reading ${depsDir} instead` });
      const { resolve, package: root } = await resolveWitDir(witDir, { allFeatures: true });
      const userDeps = await readUserDeps(depsDir, await readManaged(depsDir));
      const rootFiles = await readWitSources(witDir);
      input = { resolve, root, rootFiles, locals: userDeps, locked: lockEntries(lock), depsDir, depsFiles };
    }
    graphs.push(buildGraph(input));
  }
  return graphs;
}

/** `<deps>/<dir>/package.wit` as `wkg fetch` writes them, by path; empty when there is no deps/. */
async function readDepsFiles(depsDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(depsDir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const path = join(depsDir, name, "package.wit");
    try {
      out.set(path, await readFile(path, "utf8"));
    } catch {
      // Not a printed package directory (a user's .wasm or multi-file entry): read as a local package.
    }
  }
  return out;
}
