import { PackageRef, WkgError } from "@wasm-pkg/common";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import type { Context } from "../context.js";
import { fetchLike } from "./fetch.js";

/**
 * `wkg update [PACKAGE...]`: like fetch, but the lock's pins of the named packages (all, when
 * none is named) are dropped, so each requirement moves to its newest matching release.
 * Upstream's `update` ended in a panic (`todo!()`); this one finishes.
 */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  if (args.values.locked) throw new WkgError("USAGE", "--locked cannot be used with update: updating changes the lock file");
  if (args.values.offline) throw new WkgError("USAGE", "update needs the registries: --offline cannot be used with it");
  const names = args.positionals.map((p) => PackageRef.parse(p).toString());
  return await fetchLike(ctx, args, { update: names.length ? new Set(names) : "all" });
}
