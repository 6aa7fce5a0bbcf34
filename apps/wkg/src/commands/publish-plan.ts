import { relative } from "node:path";
import type { PackageRef, Version } from "@wasm-pkg/common";
import type { LockChange } from "@wasm-pkg/lockfile";
import type { Context } from "../context.js";

/** One package `wkg publish` will upload, in order. */
export interface PlannedItem {
  /** The path given (a file, or the directory that was built). */
  file: string;
  /** A file to stream, or the bytes of a built (or read) package. */
  input: string | Uint8Array;
  /** Known for planned packages; a single file's identity is read when it is published. */
  id?: { ref: PackageRef; version: Version };
  registry?: string;
  /** Packages of the same publish that go first. */
  dependsOn: string[];
  built?: boolean;
  lock?: { path: string; changes: LockChange[] };
}

const idOf = (item: PlannedItem) => (item.id ? `${item.id.ref}@${item.id.version}` : "");
const where = (ctx: Context, item: PlannedItem) => relative(ctx.io.cwd, item.file) || ".";

/** Before publishing several packages: the order, on stderr. */
export function reportPlan(ctx: Context, items: PlannedItem[]): void {
  ctx.reporter.status("Planned", `${items.length} packages, dependencies first`);
  for (const [i, item] of items.entries()) ctx.reporter.status(`${i + 1}.`, line(ctx, item));
}

/** `--dry-run`: the plan is the command's output (stdout). */
export function planText(ctx: Context, items: PlannedItem[]): string {
  const lines = items.map((item, i) => `  ${i + 1}. ${line(ctx, item)}`);
  return `Publish plan (${items.length} package${items.length === 1 ? "" : "s"}, dependencies first; dry run, nothing uploaded):\n${lines.join("\n")}\n`;
}

function line(ctx: Context, item: PlannedItem): string {
  const after = item.dependsOn.length ? ` after ${item.dependsOn.join(", ")}` : "";
  return `${idOf(item)} to ${item.registry} from ${where(ctx, item)}${item.built ? " (built)" : ""}${after}`;
}

export function planJson(ctx: Context, items: PlannedItem[]) {
  return items.map((item, i) => ({
    order: i + 1,
    package: item.id?.ref.toString() ?? null,
    version: item.id?.version.toString() ?? null,
    registry: item.registry ?? null,
    path: item.file,
    relativePath: where(ctx, item),
    built: item.built === true,
    dependsOn: item.dependsOn,
    ...(item.lock ? { lock: { path: item.lock.path, changes: item.lock.changes } } : {}),
  }));
}
