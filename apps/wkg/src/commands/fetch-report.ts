import { relative } from "node:path";
import type { FetchResult } from "@wasm-pkg/wit-tools";
import type { CommandOutput } from "../cli/spec.js";
import type { Context } from "../context.js";

/** What changed in `wit/deps` and `wkg.lock`, as status lines and as the `--json` document. */
export function reportFetch(ctx: Context, result: FetchResult, lockPath: string): CommandOutput {
  const rel = (path: string) => relative(ctx.io.cwd, path) || ".";
  let changed = false;
  for (const { witDir, deps } of result.projects) {
    for (const name of deps.adopted) ctx.reporter.status("Adopted", `${rel(witDir)}/deps/${name} (as wkg.lock pins it)`);
    for (const name of deps.added) ctx.reporter.status("Added", `${rel(witDir)}/deps/${name}`);
    for (const name of deps.updated) ctx.reporter.status("Updated", `${rel(witDir)}/deps/${name}`);
    for (const name of deps.removed) ctx.reporter.status("Removed", `${rel(witDir)}/deps/${name}`);
    changed ||= deps.adopted.length + deps.added.length + deps.updated.length + deps.removed.length > 0;
  }
  for (const change of result.lockChanges) {
    const what =
      change.kind === "added"
        ? `${change.name} ${change.requirement} -> ${change.after?.version}`
        : change.kind === "removed"
          ? `${change.name} ${change.requirement} (was ${change.before?.version})`
          : `${change.name} ${change.requirement} ${change.before?.version} -> ${change.after?.version}`;
    ctx.reporter.status(change.kind === "added" ? "Locking" : change.kind === "removed" ? "Unlocking" : "Updating", what);
  }
  if (!changed && result.lockChanges.length === 0) ctx.reporter.status("Finished", "dependencies are up to date");
  else ctx.reporter.status("Finished", `${rel(lockPath)}${result.lockWritten ? " written" : " unchanged"}`);
  return {
    json: {
      lock: { path: lockPath, written: result.lockWritten, changes: result.lockChanges },
      projects: result.projects.map(({ witDir, project, deps }) => ({
        witDir,
        package: project.root.version ? `${project.root.name}@${project.root.version}` : project.root.name,
        deps,
        registry: project.registry.map((r) => ({
          package: r.name.toString(),
          requirement: r.requirement.toString(),
          version: r.version.toString(),
          registry: r.registry ?? null,
          digest: r.digest.toString(),
          origin: r.origin,
        })),
        local: project.locals.map((l) => ({ package: l.name, version: l.version ?? null, path: l.path })),
      })),
    },
  };
}
