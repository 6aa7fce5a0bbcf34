import { WkgError } from "@wasm-pkg/common";
import type { DependencyGraph, GraphEdge } from "./graph.js";
import { dependenciesOf, matchPackages } from "./graph-tree.js";

export interface WhyResult {
  /** The packages matched (every version of `ns:name`, or the one named). */
  targets: string[];
  /** Every path from the root to a target, root first. */
  paths: string[][];
  /** Paths not listed because there were more than `limit`. */
  omitted: number;
  /** The edges on those paths, each once, with the lines that make them. */
  edges: GraphEdge[];
}

/**
 * Why the project depends on a package: every path from the root to it (`pnpm why`,
 * `cargo tree -i`), and the WIT lines along them. Paths are counted beyond `limit` but not
 * listed, so a dense graph cannot make the answer explode; the count says what is left out.
 */
export function whyDepends(graph: DependencyGraph, spec: string, options: { limit?: number } = {}): WhyResult {
  const limit = options.limit ?? 1000;
  const targets = matchPackages(graph, spec).filter((id) => id !== graph.root);
  if (targets.length === 0) {
    throw new WkgError("PACKAGE_NOT_FOUND", `${spec} is ${graph.root}, the project's own package, not a dependency of it`);
  }
  const wanted = new Set(targets);
  const out = dependenciesOf(graph);
  // How many paths lead from each package to a target (WIT package graphs are acyclic): the walk
  // skips dead branches, stops listing at `limit`, and the total is known without listing them all.
  const counts = new Map<string, number>();
  const count = (id: string): number => {
    const known = counts.get(id);
    if (known !== undefined) return known;
    const n = wanted.has(id) ? 1 : (out.get(id) ?? []).reduce((sum, next) => sum + count(next), 0);
    counts.set(id, n);
    return n;
  };
  const paths: string[][] = [];
  const walk = (path: string[]) => {
    if (paths.length >= limit) return;
    const id = path.at(-1) as string;
    if (wanted.has(id) && path.length > 1) {
      paths.push(path);
      return;
    }
    for (const next of out.get(id) ?? []) if (count(next) > 0) walk([...path, next]);
  };
  const total = wanted.has(graph.root) ? 0 : count(graph.root);
  walk([graph.root]);
  const omitted = total - paths.length;
  // Each edge once, in the order the paths first take it (the project's own lines first).
  const byKey = new Map(graph.edges.map((e) => [`${e.from}\u0000${e.to}`, e]));
  const edges = [...new Set(paths.flatMap((p) => p.slice(1).map((to, i) => byKey.get(`${p[i]}\u0000${to}`) as GraphEdge)))];
  return { targets, paths, omitted, edges };
}
