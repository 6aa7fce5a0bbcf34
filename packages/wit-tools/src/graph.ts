import { join } from "node:path";
import { WkgError } from "@wasm-pkg/common";
import type { LockEntry } from "@wasm-pkg/lockfile";
import { type PackageId, type Resolve, type WitReference, type WitSource, depDirName, printPackage, witReferences } from "@wasm-pkg/wit";
import type { LocalPackage } from "./local.js";

/**
 * Where a package of the graph comes from: the project itself, a registry (pinned in
 * `wkg.lock`), the user's disk (`[overrides]` path, workspace member, an entry kept in
 * `wit/deps`), or inside another package's binary (a registry WIT package carries the parts
 * of its dependencies it uses; those are not fetched on their own).
 */
export type GraphSource = "root" | "registry" | "local" | "embedded";

export interface GraphNode {
  /** `ns:name[@version]`: unique in the graph. */
  id: string;
  name: string;
  version?: string;
  source: GraphSource;
  /** Registry packages: what the lock pins. */
  registry?: string;
  requirement?: string;
  digest?: string;
  /** Local packages: where they live. */
  path?: string;
}

/** A reference with where it can be read: the project's files, or the text `wkg fetch` writes to `wit/deps`. */
export interface GraphReference extends WitReference {
  /** False when the file is the `wit/deps` copy `wkg fetch` would write, but it is not there (or differs). */
  onDisk: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Every `use`/`import`/`export`/`include` line in `from` that names `to`. */
  references: GraphReference[];
}

export interface DependencyGraph {
  root: string;
  /** In the Resolve's topological order (dependencies first, the root last). */
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphInput {
  resolve: Resolve;
  root: PackageId;
  /** The project's own WIT files. */
  rootFiles: readonly WitSource[];
  /** Packages read from disk (overrides, workspace members, user-kept `wit/deps` entries). */
  locals: readonly LocalPackage[];
  /** What the lock pins for this project. */
  locked: readonly LockEntry[];
  /** `<witDir>/deps`: where a printed package's text would be. */
  depsDir: string;
  /** Contents of the `wit/deps/<dir>/package.wit` files present, by path. */
  depsFiles: ReadonlyMap<string, string>;
}

/**
 * The dependency graph of one project as data: every package of its resolved WIT, where it
 * comes from, and which package names which — with the WIT lines that do. Text packages are
 * read from their own files; a package decoded from a binary is printed (the text `wkg fetch`
 * writes under `wit/deps`), so its lines point at that copy.
 */
export function buildGraph(input: GraphInput): DependencyGraph {
  const { resolve } = input;
  const nodes: GraphNode[] = [];
  const byId = new Map<string, GraphNode>();
  const sources = new Map<string, { files: WitSource[]; onDisk: (file: string) => boolean }>();
  const real = () => true;
  for (const local of input.locals) {
    const id = packageKey(local.name, local.version);
    const files = localText(local);
    if (files) sources.set(id, { files, onDisk: real });
  }
  const rootId = nameOf(resolve, input.root);
  for (const pkgId of resolve.topologicalPackages()) {
    const id = nameOf(resolve, pkgId);
    const { name } = resolve.pkg(pkgId);
    const base = { id, name: `${name.namespace}:${name.name}`, ...(name.version ? { version: name.version.toString() } : {}) };
    const node = describe(base, pkgId === input.root, input);
    nodes.push(node);
    byId.set(id, node);
    if (pkgId === input.root) sources.set(id, { files: [...input.rootFiles], onDisk: real });
  }
  // Nested packages of the root's files are in the Resolve too; their references come from those files.
  const fromFiles = new Map<string, WitReference[]>();
  const read = new Set<string>();
  for (const [id, { files }] of sources) {
    if (read.has(id)) continue;
    read.add(id);
    for (const ref of witReferences(files)) {
      read.add(ref.from);
      const list = fromFiles.get(ref.from) ?? [];
      list.push(ref);
      fromFiles.set(ref.from, list);
    }
  }
  const edges = new Map<string, GraphEdge>();
  const onDiskOf = new Map<string, (file: string) => boolean>();
  for (const pkgId of resolve.topologicalPackages()) {
    const id = nameOf(resolve, pkgId);
    let refs = fromFiles.get(id);
    if (!refs && !read.has(id)) {
      const file = join(input.depsDir, depDirName(resolve, pkgId), "package.wit");
      const text = printPackage(resolve, pkgId);
      refs = witReferences([{ path: file, contents: text }]);
      onDiskOf.set(id, () => input.depsFiles.get(file) === text);
    }
    for (const ref of refs ?? []) {
      const to = targetOf(byId, ref);
      if (to === id) continue;
      const key = `${id}\u0000${to}`;
      let edge = edges.get(key);
      if (!edge) {
        edge = { from: id, to, references: [] };
        edges.set(key, edge);
      }
      edge.references.push({ ...ref, onDisk: (onDiskOf.get(id) ?? real)(ref.file) });
    }
  }
  return { root: rootId, nodes, edges: [...edges.values()] };
}

function describe(base: Omit<GraphNode, "source">, isRoot: boolean, input: GraphInput): GraphNode {
  if (isRoot) return { ...base, source: "root" };
  const local = input.locals.find((l) => packageKey(l.name, l.version) === base.id);
  if (local) return { ...base, source: "local", path: local.path };
  const pinned = input.locked.find((e) => `${e.name}` === base.name && `${e.version}` === base.version);
  if (pinned) {
    return {
      ...base,
      source: "registry",
      ...(pinned.registry === undefined ? {} : { registry: pinned.registry }),
      requirement: pinned.requirement.toString(),
      digest: pinned.digest.toString(),
    };
  }
  return { ...base, source: "embedded" };
}

/** A text package's own files; undefined for a binary (it is printed like a registry package). */
function localText(local: LocalPackage): WitSource[] | undefined {
  const entry = local.entry;
  if (entry.kind === "dir") return entry.files;
  if (entry.bytes[0] === 0) return undefined;
  return [{ path: local.path, contents: new TextDecoder().decode(entry.bytes) }];
}

/** The graph node a reference names: by exact version, or the one package of that name. */
function targetOf(byId: ReadonlyMap<string, GraphNode>, ref: WitReference): string {
  const exact = packageKey(ref.to.name, ref.to.version);
  if (byId.has(exact)) return exact;
  if (ref.to.version === undefined) {
    const candidates = [...byId.values()].filter((n) => n.name === ref.to.name);
    if (candidates.length === 1) return (candidates[0] as GraphNode).id;
  }
  throw new WkgError("INTERNAL", `${ref.file}:${ref.line}: ${exact} is not among the resolved packages`, {
    hint: "please report this: the resolved WIT and its references disagree",
  });
}

function nameOf(resolve: Resolve, id: PackageId): string {
  const { name } = resolve.pkg(id);
  return packageKey(`${name.namespace}:${name.name}`, name.version?.toString());
}

export function packageKey(name: string, version: string | undefined): string {
  return version ? `${name}@${version}` : name;
}
