import { WkgError } from "@wasm-pkg/common";
import type { DependencyGraph, GraphNode } from "./graph.js";

export interface TreeNode {
  node: GraphNode;
  dependencies: TreeNode[];
  /** Shown before with its dependencies; they are not repeated here (cargo tree's `(*)`). */
  seen?: true;
  /** Has dependencies beyond `--depth`. */
  truncated?: true;
}

export interface TreeOptions {
  /** Levels of dependencies to show below each root (0: the roots alone); default: all. */
  depth?: number;
  /** Start from these packages (`ns:name` or `ns:name@version`) instead of the project's own. */
  start?: string;
}

/**
 * The graph as a tree from the root (or from each package matching `start`), dependencies in
 * name order. A package whose dependencies were already shown is shown again, marked `seen`,
 * without them — so the output stays linear in the size of the graph, as `cargo tree` does.
 */
export function dependencyTree(graph: DependencyGraph, options: TreeOptions = {}): TreeNode[] {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const children = dependenciesOf(graph);
  const roots = options.start ? matchPackages(graph, options.start) : [graph.root];
  const expanded = new Set<string>();
  const walk = (id: string, level: number): TreeNode => {
    const node = nodes.get(id) as GraphNode;
    const deps = children.get(id) ?? [];
    if (deps.length === 0) return { node, dependencies: [] };
    if (expanded.has(id)) return { node, dependencies: [], seen: true };
    if (options.depth !== undefined && level >= options.depth) return { node, dependencies: [], truncated: true };
    expanded.add(id);
    return { node, dependencies: deps.map((d) => walk(d, level + 1)) };
  };
  return roots.map((id) => walk(id, 0));
}

/** Each package's direct dependencies, sorted by id. */
export function dependenciesOf(graph: DependencyGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const edge of graph.edges) out.set(edge.from, [...(out.get(edge.from) ?? []), edge.to]);
  for (const list of out.values()) list.sort();
  return out;
}

/** The packages a `ns:name` (every version) or `ns:name@version` names; an error when none. */
export function matchPackages(graph: DependencyGraph, spec: string): string[] {
  const found = graph.nodes.filter((n) => n.id === spec || n.name === spec).map((n) => n.id);
  if (found.length === 0) {
    throw new WkgError("PACKAGE_NOT_FOUND", `${spec} is not a dependency of ${graph.root}`, {
      hint: `the packages in the graph are: ${graph.nodes.map((n) => n.id).join(", ")}`,
    });
  }
  return found;
}
