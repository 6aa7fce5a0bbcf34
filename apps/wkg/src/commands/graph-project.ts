import { relative } from "node:path";
import { type DependencyGraph, type GraphNode, projectGraphs } from "@wasm-pkg/wit-tools";
import type { CommandArgs } from "../cli/spec.js";
import { clientFor } from "../client.js";
import type { Context } from "../context.js";
import { projectLayout, projectOptions } from "../project.js";

/** The dependency graphs of the project (one per workspace member), offline: from wkg.lock, the cache and wit/deps. */
export async function loadGraphs(ctx: Context, args: CommandArgs): Promise<DependencyGraph[]> {
  const layout = await projectLayout(ctx, args, undefined);
  for (const warning of layout.manifest.manifest.warnings) ctx.reporter.warn(warning);
  const offlineArgs = { ...args, values: { ...args.values, offline: true } };
  const client = await clientFor(ctx, offlineArgs);
  try {
    return await projectGraphs({
      ...projectOptions(ctx, offlineArgs, layout, client),
      witDirs: layout.witDirs,
      workspace: layout.workspace,
    });
  } finally {
    await client.close();
  }
}

/** `ns:name@1.0.0 (registry)`: a package and where it comes from. */
export function nodeLabel(ctx: Context, node: GraphNode): string {
  const from =
    node.source === "registry"
      ? (node.registry ?? "registry")
      : node.source === "local"
        ? relative(ctx.io.cwd, node.path ?? "") || "."
        : node.source === "embedded"
          ? "embedded"
          : "";
  return from ? `${node.id} ${ctx.style.dim(`(${from})`)}` : node.id;
}

/** A node for `--json`: the package and its provenance, paths relative to the working directory. */
export function nodeJson(ctx: Context, node: GraphNode) {
  return { ...node, ...(node.path ? { path: relative(ctx.io.cwd, node.path) || "." } : {}) };
}
