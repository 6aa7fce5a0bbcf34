import { WkgError } from "@wasm-pkg/common";
import { OciClient, parseInsecureHosts } from "@wasm-pkg/oci-backend";
import type { CommandArgs } from "../../cli/spec.js";
import { timeoutFlag } from "../../cli/timeout.js";
import type { Context } from "../../context.js";

/**
 * The OCI client `wkg oci` uses: no config file, as upstream. Credentials from
 * `-u/-p` (WKG_OCI_USERNAME/PASSWORD), else WKG_REGISTRY_<HOST>_AUTH_BEARER, else the Docker
 * config; `--insecure` (WKG_OCI_INSECURE) hosts over plain http.
 */
export function ociClient(ctx: Context, args: CommandArgs): OciClient {
  const username = typeof args.values.username === "string" ? args.values.username : undefined;
  const password = typeof args.values.password === "string" ? args.values.password : undefined;
  if ((username === undefined) !== (password === undefined)) {
    throw new WkgError("USAGE", "Must provide both a username and password", {
      hint: "pass -u <USERNAME> and -p <PASSWORD> together (or WKG_OCI_USERNAME and WKG_OCI_PASSWORD)",
    });
  }
  const insecure = args.values.insecure;
  const timeoutMs = timeoutFlag(args);
  return new OciClient({
    env: ctx.io.env,
    logger: ctx.reporter.logger,
    insecure: parseInsecureHosts(typeof insecure === "string" || Array.isArray(insecure) ? insecure : undefined),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(username !== undefined && password !== undefined ? { credentials: { username, password } } : {}),
  });
}
