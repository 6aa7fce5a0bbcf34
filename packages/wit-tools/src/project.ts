import { basename, isAbsolute, join, relative, resolve as resolvePath } from "node:path";
import { type CallOptions, type Logger, PackageRef, type PackageSource, VersionReq, WkgError, noopLogger } from "@wasm-pkg/common";
import { type LockFile, type Manifest, lockFromEntries } from "@wasm-pkg/lockfile";
import { type ForeignDependency, foreignDependencies, groupPackageName, parseWitFiles } from "@wasm-pkg/wit";
import { adoptUpstreamEntries } from "./adopt.js";
import { readManaged } from "./deps-dir.js";
import { mapLimit } from "./limit.js";
import { type LocalPackage, readLocalPackage, readUserDeps, readWitSources } from "./local.js";
import { LocalPackages, packageKey } from "./local-packages.js";
import { type Requirement, type SelectedVersion, selectVersions } from "./select.js";
import { readAll } from "./stream.js";

export interface ProjectOptions extends CallOptions {
  /** The package's WIT directory (its `*.wit` files; `deps/` beneath it). */
  witDir: string;
  manifest: Manifest;
  /** Override paths in `wkg.toml` are relative to this (the manifest's directory). */
  manifestDir: string;
  lock: LockFile;
  source: PackageSource;
  /** Other packages on disk to use by name (workspace members). */
  locals?: LocalPackage[];
  /** Packages whose lock pins are ignored (`wkg update`), or `all`. */
  update?: ReadonlySet<string> | "all";
  offline?: boolean;
  /** Registry requests in flight at once (default 8). */
  concurrency?: number;
  logger?: Logger;
}

export interface FetchedPackage extends SelectedVersion {
  bytes: Uint8Array;
}

/** Everything a project's WIT needs, resolved: what `fetch` writes and `build` encodes. */
export interface ResolvedProject {
  witDir: string;
  root: { name: string; version?: string; files: Array<{ path: string; contents: string }> };
  registry: FetchedPackage[];
  /** Local packages in use: overrides and workspace members. */
  locals: LocalPackage[];
  /** Entries the user keeps in `wit/deps`, used as they are. */
  userDeps: LocalPackage[];
  /** Unmarked entries of `wit/deps` that are what the lock pins (upstream wrote them): wkg's from now on. */
  adopted: string[];
  /** The lock entries this project resolved (exactly these; stale ones are gone). */
  lock: LockFile;
}

/**
 * Resolve a WIT package's dependencies: its foreign imports, `[overrides]` (a local `path`
 * replaces the registry, a `version` replaces the requirement), entries the user keeps in
 * `wit/deps`, workspace members, and — transitively — the imports of every local package.
 * Registry packages are chosen by `selectVersions` (lock pins kept, updates on request) and
 * downloaded, verified, through the source (the client, with its cache), a bounded number at
 * a time. Registry WIT packages carry their own dependencies, so those are not resolved again.
 */
export async function resolveProject(options: ProjectOptions): Promise<ResolvedProject> {
  const logger = options.logger ?? noopLogger;
  const witDir = resolvePath(options.witDir);
  const files = await readWitSources(witDir);
  const group = parseWitFiles(files);
  const rootId = groupPackageName(group);

  const overrides: Array<{ path: string; local: LocalPackage }> = [];
  for (const [name, override] of Object.entries(options.manifest.overrides)) {
    if (override.path === undefined) continue;
    const path = isAbsolute(override.path) ? override.path : resolvePath(options.manifestDir, override.path);
    const local = await readLocalPackage(path, relative(process.cwd(), path) || path);
    if (local.name !== name) {
      throw new WkgError("INVALID_MANIFEST", `[overrides] "${name}" points at ${override.path}, which holds ${local.name}`, {
        hint: `point the override at the directory of ${name}, or rename the override`,
      });
    }
    overrides.push({ path: override.path, local });
  }
  const members = (options.locals ?? []).filter((local) => local.name !== rootId.name);

  const managed = await readManaged(join(witDir, "deps"));
  const unmarked = await readUserDeps(join(witDir, "deps"), managed);
  const adopted = await adoptUpstreamEntries({
    ...options,
    witDir,
    unmarked,
    locals: [...overrides.map((o) => o.local), ...members],
    logger,
  });
  const userDeps = unmarked.filter((l) => !adopted.has(basename(l.path)));
  const locals = new LocalPackages();
  for (const local of userDeps) locals.add(local, `${local.path} (in deps/)`);
  for (const local of members) locals.add(local, "workspace member");
  for (const { path, local } of overrides) locals.override(local, `[overrides] path ${path}`);

  const requirements: Requirement[] = [];
  const usedLocals = new Set<LocalPackage>();
  const queue: Array<{ dep: ForeignDependency; by: string }> = foreignDependencies(group).map((dep) => ({ dep, by: rootId.name }));
  while (queue.length > 0) {
    const { dep, by } = queue.shift() as { dep: ForeignDependency; by: string };
    if (dep.name === rootId.name) continue;
    const found = locals.find(dep);
    if (found) {
      const { local, source } = found;
      if (!usedLocals.has(local)) {
        usedLocals.add(local);
        logger({ type: "debug", message: `${packageKey(dep)}: using ${source}` });
        for (const next of local.foreign) queue.push({ dep: next, by: `${local.name} (${local.path})` });
      }
      continue;
    }
    const name = PackageRef.parse(dep.name);
    const override = options.manifest.overrides[dep.name]?.version;
    const requirement = override ?? (dep.version ? VersionReq.parse(`=${dep.version}`) : VersionReq.STAR);
    requirements.push({ name, requirement, requiredBy: by });
  }

  const selected = await selectVersions(options.source, requirements, {
    lock: options.lock,
    ...(options.update ? { update: options.update } : {}),
    ...(options.offline ? { offline: true } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const registry = await mapLimit(selected, options.concurrency ?? 16, async (s) => {
    const stream = await options.source.streamContent(s.name, s.release, options.signal ? { signal: options.signal } : {});
    return { ...s, bytes: await readAll(stream) };
  });
  const lock = lockFromEntries(
    registry.map((r) => ({
      name: r.name,
      ...(r.registry === undefined ? {} : { registry: r.registry }),
      requirement: r.requirement,
      version: r.version,
      digest: r.digest,
    })),
  );
  return {
    witDir,
    root: { name: rootId.name, ...(rootId.version ? { version: rootId.version } : {}), files },
    registry,
    locals: [...usedLocals.values()].filter((l) => !userDeps.includes(l)),
    userDeps,
    adopted: [...adopted].sort(),
    lock,
  };
}
