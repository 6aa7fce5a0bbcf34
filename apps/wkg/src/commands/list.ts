import { PackageRef } from "@wasm-pkg/common";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import { clientFor, registryFlag } from "../client.js";
import type { Context } from "../context.js";

/** `wkg list <ns:name>`: every version the registry holds, newest first, yanked and pre-releases marked. */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const ref = PackageRef.parse(args.positionals[0] as string);
  const registry = registryFlag(args);
  const client = await clientFor(ctx, args);
  try {
    const call = { signal: ctx.signal, ...(registry ? { registry } : {}) };
    const from = client.registryFor(ref, call) ?? null;
    ctx.reporter.status("Listing", `${ref}${from ? ` from ${from}` : ""}`);
    const versions = (await client.listVersions(ref, call)).reverse();
    const rows = versions.map((v) => ({ version: v.version.toString(), yanked: v.yanked, prerelease: v.version.isPrerelease }));
    const text = rows.map((r) => {
      const marks = [r.prerelease ? "pre-release" : "", r.yanked ? "yanked" : ""].filter(Boolean);
      return marks.length ? `${r.version} ${ctx.style.dim(`(${marks.join(", ")})`)}` : r.version;
    });
    if (rows.length === 0) ctx.reporter.warn(`${ref} has no versions${from ? ` in ${from}` : ""}`);
    return { text: text.length ? `${text.join("\n")}\n` : "", json: { package: ref.toString(), registry: from, versions: rows } };
  } finally {
    await client.close();
  }
}
