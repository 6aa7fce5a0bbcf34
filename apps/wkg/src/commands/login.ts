import { WkgError, registerSecret } from "@wasm-pkg/common";
import { type CredentialStore, normalizeDockerKey, storeDockerCredentials, verifyLogin } from "@wasm-pkg/oci-backend";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import { timeoutFlag } from "../cli/timeout.js";
import type { Context } from "../context.js";

/** `wkg login <REGISTRY>`: verify the credentials against the registry, then store them as docker does. */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const registry = normalizeDockerKey(args.positionals[0] as string);
  const username = typeof args.values.username === "string" ? args.values.username : undefined;
  if (!username) {
    throw new WkgError("USAGE", "wkg login needs --username", {
      hint: `e.g. \`echo "$TOKEN" | wkg login ${registry} --username <USER> --password-stdin\``,
    });
  }
  const password = await readPassword(ctx, args, registry);
  registerSecret(password);

  const timeoutMs = timeoutFlag(args);
  ctx.reporter.status("Verifying", `credentials of ${username} against ${registry}`);
  await verifyLogin(
    registry,
    { username, password },
    {
      env: ctx.io.env,
      logger: ctx.reporter.logger,
      signal: ctx.signal,
      ...(args.values.insecure === true ? { insecure: true } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    },
  );
  const stored = await storeDockerCredentials(registry, { username, password }, { env: ctx.io.env, signal: ctx.signal });
  ctx.reporter.status("Stored", `credentials for ${registry} in ${where(stored)}`);
  return {
    text: `Logged in to ${registry} as ${username}`,
    json: { registry, username, store: stored },
  };
}

async function readPassword(ctx: Context, args: CommandArgs, registry: string): Promise<string> {
  if (typeof args.values.password === "string") {
    ctx.reporter.warn(
      "a password given with --password may be kept in shell history and seen by other users",
      `use --password-stdin: \`echo "$TOKEN" | wkg login ${registry} -u <USER> --password-stdin\``,
    );
    if (args.values.password === "") throw new WkgError("USAGE", "--password is empty");
    return args.values.password;
  }
  if (args.values["password-stdin"] !== true) {
    throw new WkgError("USAGE", "wkg login needs the password on stdin: pass --password-stdin", {
      hint: `e.g. \`echo "$TOKEN" | wkg login ${registry} -u <USER> --password-stdin\``,
    });
  }
  if (!ctx.io.readStdin || ctx.io.stdinIsTTY) {
    throw new WkgError("USAGE", "--password-stdin reads the password from a pipe or file, but stdin is a terminal", {
      hint: `pipe it in: \`echo "$TOKEN" | wkg login ${registry} -u <USER> --password-stdin\``,
    });
  }
  // One trailing newline (from echo or a file) is not part of the password, as docker trims it.
  const password = (await ctx.io.readStdin()).replace(/\r?\n$/, "");
  if (password === "") throw new WkgError("USAGE", "--password-stdin: stdin was empty", { hint: "pipe the password or token in" });
  return password;
}

export function where(store: CredentialStore): string {
  return store.kind === "file" ? store.path : `${store.program} (named by ${store.path})`;
}
