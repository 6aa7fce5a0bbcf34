import { resolve } from "node:path";
import { buildProject, readLocalPackage } from "@wasm-pkg/wit-tools";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import { clientFor } from "../client.js";
import type { Context } from "../context.js";
import { version } from "../main.js";
import { projectLayout, projectOptions } from "../project.js";
import { RunTally, reportSummary } from "../render/summary.js";

/**
 * `wkg build`: the WIT package binary of `-d/--wit-dir` (default `wit`), with its dependencies
 * embedded and metadata from `wkg.toml`. Default output, as upstream: `<ns>:<name>[@<version>].wasm`
 * in the current directory (`_` for `:` on Windows, where `:` is not allowed in file names).
 */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const tally = new RunTally(ctx);
  const layout = await projectLayout(ctx, args, undefined);
  for (const warning of layout.manifest.manifest.warnings) ctx.reporter.warn(warning);
  const client = await clientFor(ctx, args);
  try {
    const members = layout.workspace ? await Promise.all(layout.witDirs.map((dir) => readLocalPackage(dir))) : [];
    const outputs = [];
    const resolved: string[] = [];
    let lockChanges = 0;
    for (const witDir of layout.witDirs) {
      ctx.reporter.status("Building", witDir);
      const result = await buildProject({
        ...projectOptions(ctx, args, layout, client),
        witDir,
        // Workspace members share one lock and resolve each other from disk.
        ...(layout.workspace ? { keepOtherEntries: true, locals: members } : {}),
        producer: ["wkg", version()],
        output: (id) => {
          const name = `${id.name}${id.version ? `@${id.version}` : ""}.wasm`;
          const explicit = typeof args.values.output === "string" && layout.witDirs.length === 1 ? args.values.output : undefined;
          return resolve(ctx.io.cwd, explicit ?? (process.platform === "win32" ? name.replace(/:/g, "_") : name));
        },
      });
      const path = result.path as string;
      resolved.push(...result.project.registry.map((p) => `${p.name}@${p.version}`));
      lockChanges += result.lockChanges.length;
      ctx.reporter.status("Finished", `WIT package written to ${path}`);
      outputs.push({
        package: result.name,
        version: result.version ?? null,
        path,
        size: result.bytes.length,
        lockChanges: result.lockChanges,
      });
    }
    return { json: { outputs, ...reportSummary(ctx, tally.finish(resolved, lockChanges)) } };
  } finally {
    await client.close();
  }
}
