import { WkgError } from "@wasm-pkg/common";
import { type TreeNode, dependencyTree } from "@wasm-pkg/wit-tools";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import type { Context } from "../context.js";
import { loadGraphs, nodeJson, nodeLabel } from "./graph-project.js";

/** `wkg tree [PKG]`: the resolved dependency graph as a tree, offline, like `cargo tree`. */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const depth = depthFlag(args.values.depth);
  const start = args.positionals[0];
  const graphs = await loadGraphs(ctx, args);
  const trees = graphs.map((graph) => ({
    root: graph.root,
    tree: dependencyTree(graph, { ...(depth === undefined ? {} : { depth }), ...(start ? { start } : {}) }),
  }));
  const lines: string[] = [];
  for (const { tree } of trees) {
    for (const top of tree) {
      if (lines.length) lines.push("");
      render(ctx, top, "", "", lines);
    }
  }
  const json = (node: TreeNode): unknown => ({ ...nodeJson(ctx, node.node), ...flags(node), dependencies: node.dependencies.map(json) });
  return { text: `${lines.join("\n")}\n`, json: { projects: trees.map((t) => ({ root: t.root, tree: t.tree.map(json) })) } };
}

function render(ctx: Context, node: TreeNode, first: string, rest: string, out: string[]): void {
  const mark = node.seen ? " (*)" : node.truncated ? " …" : "";
  out.push(`${first}${nodeLabel(ctx, node.node)}${mark}`);
  node.dependencies.forEach((child, i) => {
    const last = i === node.dependencies.length - 1;
    render(ctx, child, `${rest}${last ? "└── " : "├── "}`, `${rest}${last ? "    " : "│   "}`, out);
  });
}

function flags(node: TreeNode) {
  return { ...(node.seen ? { seen: true } : {}), ...(node.truncated ? { truncated: true } : {}) };
}

function depthFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new WkgError("USAGE", `--depth takes a whole number of levels, not ${JSON.stringify(value)}`);
  }
  return n;
}
