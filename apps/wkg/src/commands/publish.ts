import { resolve } from "node:path";
import type { PublishOutcome } from "@wasm-pkg/client";
import { WkgError, isWkgError } from "@wasm-pkg/common";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import { clientFor, registryFlag } from "../client.js";
import type { Context } from "../context.js";

interface Published {
  file: string;
  package: string;
  version: string;
  registry: string;
  protocol?: string;
  digest?: string;
  dryRun: boolean;
  semver?: PublishOutcome["semver"];
  location?: string;
  skipped?: "already exists";
}

export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const paths = args.positionals;
  const pkg = typeof args.values.package === "string" && args.values.package !== "" ? args.values.package : undefined;
  if (pkg && paths.length > 1) {
    throw new WkgError("USAGE", "`--package` is currently only supported when providing one path argument", {
      hint: "publish the files one at a time, or let each WIT package name itself",
    });
  }
  const registry = registryFlag(args);
  const dryRun = args.values["dry-run"] === true;
  const client = await clientFor(ctx, args);
  const published: Published[] = [];
  try {
    for (const path of paths) {
      const file = resolve(ctx.io.cwd, path);
      try {
        const outcome = await client.publish(file, {
          signal: ctx.signal,
          dryRun,
          skipSemverCheck: args.values["skip-semver-check"] === true,
          overwrite: args.values.overwrite === true,
          ...(pkg ? { package: pkg } : {}),
          ...(registry ? { registry } : {}),
        });
        const id = `${outcome.package}@${outcome.version}`;
        if (dryRun) ctx.reporter.status("Dry run", `${id} would be published to ${outcome.registry}; nothing was uploaded`);
        else ctx.reporter.status("Published", `${id} to ${outcome.registry}`);
        published.push({
          file,
          package: outcome.package.toString(),
          version: outcome.version.toString(),
          registry: outcome.registry,
          protocol: outcome.protocol,
          digest: outcome.digest.toString(),
          dryRun,
          semver: outcome.semver,
          ...(outcome.location ? { location: outcome.location } : {}),
        });
      } catch (error) {
        if (!(args.values["skip-dupes"] === true && isWkgError(error, "VERSION_EXISTS"))) throw error;
        const details = (error as WkgError).details ?? {};
        const id = `${details.package}@${details.version}`;
        ctx.reporter.warn(`Skipping publish: ${id} already exists in the registry`);
        published.push({
          file,
          package: String(details.package),
          version: String(details.version),
          registry: String(details.registry ?? registry ?? ""),
          dryRun,
          skipped: "already exists",
        });
      }
    }
  } finally {
    await client.close();
  }
  return { json: { published } };
}
