import { basename } from "node:path";
import type { PackageId, Resolve, WitDepEntry } from "@wasm-pkg/wit";
import { depDirName, printPackage, resolveWitSource } from "@wasm-pkg/wit";
import type { DepsEntry } from "./deps-dir.js";
import type { ResolvedProject } from "./project.js";

/**
 * One Resolve with every package the project uses, the root last — as upstream's
 * `generate_resolve`, with all `@unstable` items kept. It fails with the WIT error (file, line,
 * column) when the root does not resolve against what was fetched.
 */
export function projectResolve(project: ResolvedProject): { resolve: Resolve; root: PackageId } {
  const deps: WitDepEntry[] = [
    ...project.userDeps.map((l) => l.entry),
    ...project.locals.map((l) => l.entry),
    ...project.registry.map((r) => ({
      kind: "file" as const,
      path: `${r.name}@${r.version} (from ${r.registry ?? "registry"})`,
      bytes: r.bytes,
    })),
  ];
  const { resolve, package: root } = resolveWitSource({ path: project.witDir, files: project.root.files, deps }, { allFeatures: true });
  return { resolve, root };
}

/**
 * What `wkg fetch` writes into `wit/deps`. `wit` (the default): every package but the root,
 * transitive ones included, printed as `<ns>-<name>[-<version>]/package.wit`, except those the
 * user keeps there. `wasm`: direct dependencies as they came, `<dir name>.wasm` for registry
 * packages, a copy of a local package's files.
 */
export function depsEntries(project: ResolvedProject, output: "wit" | "wasm" = "wit"): DepsEntry[] {
  const userProvided = new Set(project.userDeps.flatMap((l) => l.provides));
  if (output === "wasm") {
    const entries: DepsEntry[] = project.registry.map((r) => ({
      kind: "file",
      name: `${r.name.namespace}-${r.name.name}-${r.version}.wasm`,
      bytes: r.bytes,
    }));
    for (const local of project.locals) {
      const dir = `${local.name.replace(":", "-")}${local.version ? `-${local.version}` : ""}`;
      if (local.entry.kind === "file" && local.entry.bytes[0] === 0)
        entries.push({ kind: "file", name: `${dir}.wasm`, bytes: local.entry.bytes });
      else if (local.entry.kind === "file") entries.push({ kind: "dir", name: dir, files: { "package.wit": local.entry.bytes } });
      else
        entries.push({ kind: "dir", name: dir, files: Object.fromEntries(local.entry.files.map((f) => [basename(f.path), f.contents])) });
    }
    return entries;
  }
  const { resolve, root } = projectResolve(project);
  const entries: DepsEntry[] = [];
  for (const id of resolve.topologicalPackages()) {
    if (id === root) continue;
    const { name } = resolve.pkg(id);
    const full = `${name.namespace}:${name.name}${name.version ? `@${name.version}` : ""}`;
    if (userProvided.has(full)) continue;
    const dir = depDirName(resolve, id);
    entries.push({ kind: "dir", name: dir, files: { "package.wit": printPackage(resolve, id) } });
  }
  return entries;
}
