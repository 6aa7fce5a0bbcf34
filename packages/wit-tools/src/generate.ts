import { basename } from "node:path";
import type { PackageId, Resolve, WitDepEntry } from "@wasm-pkg/wit";
import { decodeWasm, depDirName, printPackage, resolveWitSource } from "@wasm-pkg/wit";
import type { DepsEntry } from "./deps-dir.js";
import { packageKey } from "./local-packages.js";
import type { FetchedPackage, ResolvedProject } from "./project.js";

/**
 * One Resolve with every package the project uses, the root last — as upstream's
 * `generate_resolve`, with all `@unstable` items kept. It fails with the WIT error (file, line,
 * column) when the root does not resolve against what was fetched.
 */
export function projectResolve(project: ResolvedProject): { resolve: Resolve; root: PackageId } {
  const deps: WitDepEntry[] = [
    ...project.userDeps.map((l) => l.entry),
    ...project.locals.map((l) => l.entry),
    // A package the user keeps in deps/ (or an override) replaces the copy a registry binary carries.
    ...registryPackages(project.registry, new Set([...project.userDeps, ...project.locals].flatMap((l) => l.provides))).map(
      ({ key, text }) => ({
        kind: "file" as const,
        path: `${key}.wit`,
        bytes: new TextEncoder().encode(text),
      }),
    ),
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
      package: `${r.name}@${r.version}`,
    }));
    for (const local of project.locals) {
      const dir = `${local.name.replace(":", "-")}${local.version ? `-${local.version}` : ""}`;
      const pkg = packageKey(local);
      if (local.entry.kind === "file" && local.entry.bytes[0] === 0)
        entries.push({ kind: "file", name: `${dir}.wasm`, bytes: local.entry.bytes, package: pkg });
      else if (local.entry.kind === "file")
        entries.push({ kind: "dir", name: dir, files: { "package.wit": local.entry.bytes }, package: pkg });
      else {
        const files = Object.fromEntries(local.entry.files.map((f) => [basename(f.path), f.contents]));
        entries.push({ kind: "dir", name: dir, files, package: pkg });
      }
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
    entries.push({ kind: "dir", name: dir, files: { "package.wit": printPackage(resolve, id) }, package: full });
  }
  return entries;
}

/**
 * Every package the registry binaries carry, one copy each, as WIT text. A binary holds only
 * the parts of its dependencies it uses, so the same package can arrive several times, each
 * copy partial; merging them is order-sensitive (wit-parser only merges a subset into a
 * superset). Instead each package is taken from its own registry binary when it was fetched,
 * else from the most complete copy, and everything is resolved once from text.
 */
function registryPackages(packages: FetchedPackage[], provided: ReadonlySet<string>): Array<{ key: string; text: string }> {
  const best = new Map<string, { text: string; own: boolean }>();
  for (const fetched of packages) {
    const own = `${fetched.name}@${fetched.version}`;
    const decoded = decodeWasm(fetched.bytes);
    for (const id of decoded.resolve.topologicalPackages()) {
      const { name } = decoded.resolve.pkg(id);
      const key = `${name.namespace}:${name.name}${name.version ? `@${name.version}` : ""}`;
      const isOwn = decoded.kind === "wit-package" && id === decoded.package && (key === own || key === `${fetched.name}`);
      const text = printPackage(decoded.resolve, id);
      const current = best.get(key);
      if (!current || (isOwn && !current.own) || (isOwn === current.own && text.length > current.text.length))
        best.set(key, { text, own: isOwn });
    }
  }
  return [...best].filter(([key]) => !provided.has(key)).map(([key, { text }]) => ({ key, text }));
}
