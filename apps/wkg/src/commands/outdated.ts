import { type VersionInfo, isWkgError } from "@wasm-pkg/common";
import { lockEntries, readLockFile } from "@wasm-pkg/lockfile";
import { mapLimit, outdatedRows } from "@wasm-pkg/wit-tools";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import { clientFor } from "../client.js";
import type { Context } from "../context.js";
import { projectLayout } from "../project.js";
import { formatTable } from "../render/table.js";

/** `wkg outdated`: locked, wanted and latest versions of every locked package, as `npm outdated`. */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const layout = await projectLayout(ctx, args, undefined);
  for (const warning of layout.manifest.manifest.warnings) ctx.reporter.warn(warning);
  const { lock } = await readLockFile(layout.lockPath);
  const entries = lockEntries(lock);
  if (entries.length === 0) {
    ctx.reporter.warn(`nothing is locked in ${layout.lockPath}`, "run `wkg fetch` to resolve and lock the dependencies");
    return { text: "", json: { lockFile: layout.lockPath, packages: [] } };
  }
  const client = await clientFor(ctx, args);
  const listed = new Map<string, VersionInfo[]>();
  try {
    ctx.reporter.status("Checking", `${entries.length} locked version${entries.length === 1 ? "" : "s"} in ${layout.lockPath}`);
    const keys = [...new Map(entries.map((e) => [`${e.name}\u0000${e.registry ?? ""}`, e])).entries()];
    await mapLimit(keys, 8, async ([key, entry]) => {
      try {
        listed.set(
          key,
          await client.listVersions(entry.name, { signal: ctx.signal, ...(entry.registry ? { registry: entry.registry } : {}) }),
        );
      } catch (error) {
        // A package the registry no longer has is a finding, not a failure of the whole report.
        if (!isWkgError(error, "PACKAGE_NOT_FOUND")) throw error;
        listed.set(key, []);
      }
    });
  } finally {
    await client.close();
  }
  const rows = outdatedRows(entries, (e) => listed.get(`${e.name}\u0000${e.registry ?? ""}`) ?? []);
  const behind = rows.filter((r) => r.behind);
  for (const row of rows.filter((r) => r.missing)) {
    ctx.reporter.warn(
      `${row.name}@${row.locked} (locked) is no longer offered by ${row.registry ?? "its registry"}`,
      "run `wkg update` to move off it",
    );
  }
  const table = formatTable([
    ["Package", "Requirement", "Locked", "Wanted", "Latest", "Registry"],
    ...rows.map((r) => [r.name, r.requirement, r.locked, r.wanted ?? "-", r.latest ?? "-", r.registry ?? "-"]),
  ]);
  ctx.reporter.status("Checked", behind.length ? `${behind.length} of ${rows.length} behind` : `all ${rows.length} up to date`);
  return {
    text: `${table}\n`,
    json: { lockFile: layout.lockPath, packages: rows },
    ...(args.values["exit-code"] === true && behind.length > 0 ? { exitCode: 1 } : {}),
  };
}
