import { eraseDockerCredentials, normalizeDockerKey } from "@wasm-pkg/oci-backend";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import type { Context } from "../context.js";
import { where } from "./login.js";

/** `wkg logout <REGISTRY>`: forget the stored credentials; not being logged in is not an error (as docker). */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const registry = normalizeDockerKey(args.positionals[0] as string);
  const erased = await eraseDockerCredentials(registry, { env: ctx.io.env, signal: ctx.signal });
  if (!erased) {
    ctx.reporter.status("Skipped", `no credentials stored for ${registry}`);
    return { text: `Not logged in to ${registry}`, json: { registry, removed: false } };
  }
  ctx.reporter.status("Removed", `credentials for ${registry} from ${where(erased)}`);
  return { text: `Logged out of ${registry}`, json: { registry, removed: true, store: erased } };
}
