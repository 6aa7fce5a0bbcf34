import { relative } from "node:path";
import { WkgError, isWkgError } from "@wasm-pkg/common";
import { type DependencyGraph, type GraphNode, type GraphReference, type WhyResult, whyDepends } from "@wasm-pkg/wit-tools";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import type { Context } from "../context.js";
import { loadGraphs, nodeJson, nodeLabel } from "./graph-project.js";

/** `wkg why <ns:name>`: every path from the project to a dependency, and the WIT lines along them. */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const spec = args.positionals[0] as string;
  const graphs = await loadGraphs(ctx, args);
  const answers: Array<{ graph: DependencyGraph; why: WhyResult }> = [];
  let notFound: unknown;
  for (const graph of graphs) {
    try {
      answers.push({ graph, why: whyDepends(graph, spec) });
    } catch (error) {
      if (!isWkgError(error, "PACKAGE_NOT_FOUND")) throw error;
      notFound ??= error;
    }
  }
  if (answers.length === 0) {
    if (graphs.length === 1) throw notFound;
    throw new WkgError("PACKAGE_NOT_FOUND", `${spec} is not a dependency of any of ${graphs.map((g) => g.root).join(", ")}`);
  }
  const lines: string[] = [];
  for (const { graph, why } of answers) {
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    if (lines.length) lines.push("");
    for (const target of why.targets) lines.push(nodeLabel(ctx, nodes.get(target) as GraphNode));
    const count = why.paths.length + why.omitted;
    lines.push(`${count} path${count === 1 ? "" : "s"} from ${graph.root}:`);
    for (const path of why.paths) lines.push(`  ${path.join(" → ")}`);
    if (why.omitted) lines.push(`  … and ${why.omitted} more (not listed)`);
    lines.push("brought in by:");
    for (const edge of why.edges) {
      lines.push(`  ${edge.from} → ${edge.to}`);
      for (const ref of edge.references) lines.push(`    ${where(ctx, ref)}  ${ref.text}`);
    }
  }
  const json = answers.map(({ graph, why }) => ({
    root: graph.root,
    packages: why.targets.map((t) => nodeJson(ctx, graph.nodes.find((n) => n.id === t) as GraphNode)),
    paths: why.paths,
    omittedPaths: why.omitted,
    edges: why.edges.map((e) => ({
      ...e,
      references: e.references.map((r) => ({ ...r, file: relative(ctx.io.cwd, r.file) })),
    })),
  }));
  return { text: `${lines.join("\n")}\n`, json: { projects: json } };
}

function where(ctx: Context, ref: GraphReference): string {
  const at = `${relative(ctx.io.cwd, ref.file)}:${ref.line}`;
  return ref.onDisk ? at : `${at} ${ctx.style.dim("(as `wkg fetch` writes it; not on disk)")}`;
}
