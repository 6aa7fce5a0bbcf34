import { relative } from "node:path";
import { fetchProject } from "@wasm-pkg/wit-tools";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import { clientFor } from "../client.js";
import type { Context } from "../context.js";
import { projectLayout, projectOptions } from "../project.js";
import { RunTally, reportSummary } from "../render/summary.js";
import { reportFetch } from "./fetch-report.js";

/** `wkg fetch [DIR]`: resolve the WIT package's dependencies into `<dir>/deps` and `wkg.lock`. */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  return await fetchLike(ctx, args, { dir: args.positionals[0] });
}

/** Shared by `fetch` and `update` (which names the packages whose pins to drop). */
export async function fetchLike(
  ctx: Context,
  args: CommandArgs,
  options: { dir?: string; update?: ReadonlySet<string> | "all" },
): Promise<CommandOutput> {
  const tally = new RunTally(ctx);
  const layout = await projectLayout(ctx, args, options.dir);
  for (const warning of layout.manifest.manifest.warnings) ctx.reporter.warn(warning);
  const client = await clientFor(ctx, args);
  try {
    const where = layout.witDirs.map((d) => relative(ctx.io.cwd, d) || ".").join(", ");
    ctx.reporter.status(options.update ? "Updating" : "Resolving", `dependencies of ${where}`);
    const result = await fetchProject({
      ...projectOptions(ctx, args, layout, client),
      witDirs: layout.witDirs,
      workspace: layout.workspace,
      output: args.values.type === "wasm" ? "wasm" : "wit",
      ...(options.update ? { update: options.update } : {}),
    });
    const output = reportFetch(ctx, result, layout.lockPath);
    const resolved = result.projects.flatMap(({ project }) => project.registry.map((p) => `${p.name}@${p.version}`));
    const summary = reportSummary(ctx, tally.finish(resolved, result.lockChanges.length));
    return { ...output, json: { ...(output.json as object), ...summary } };
  } finally {
    await client.close();
  }
}
