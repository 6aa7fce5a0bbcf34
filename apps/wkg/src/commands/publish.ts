import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { PublishOutcome, WkgClient } from "@wasm-pkg/client";
import { Digest, PackageRef, PackageSpec, Version, WkgError, hashFile, isAbortError, isWkgError } from "@wasm-pkg/common";
import { findWorkspace, formatLockDiff } from "@wasm-pkg/lockfile";
import { preparePublish, readPublishTarget } from "@wasm-pkg/wit-tools";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import { clientFor, registryFlag } from "../client.js";
import type { Context } from "../context.js";
import { version as wkgVersion } from "../main.js";
import { type PlannedItem, planJson, planText, reportPlan } from "./publish-plan.js";

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
  /** With `skipped`: whether the registry holds the same bytes (false: different content). */
  identical?: boolean;
}

/**
 * `wkg publish [PATHS]... | --workspace`. One file is published as it is. Directories are built
 * first (as `wkg build`, refusing when `wkg.lock` would change), and several paths or a
 * workspace are published in dependency order, each package built against the others.
 */
export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const pkg = typeof args.values.package === "string" && args.values.package !== "" ? args.values.package : undefined;
  const paths = await publishPaths(ctx, args);
  if (pkg && paths.length > 1) {
    throw new WkgError("USAGE", "`--package` is currently only supported when providing one path argument", {
      hint: "publish the files one at a time, or let each WIT package name itself",
    });
  }
  const registry = registryFlag(args);
  const dryRun = args.values["dry-run"] === true;
  const client = await clientFor(ctx, args);
  try {
    const single = paths.length === 1 && !(await isDirectory(resolve(ctx.io.cwd, paths[0] as string)));
    const items = single ? [fileItem(resolve(ctx.io.cwd, paths[0] as string))] : await planned(ctx, args, client, paths, pkg, registry);
    if (items.length > 1) reportPlan(ctx, items);
    const published = await publishAll(ctx, args, client, items, { pkg, registry, dryRun });
    if (single) return { json: { published } };
    return { json: { plan: planJson(ctx, items), published }, ...(dryRun ? { text: planText(ctx, items) } : {}) };
  } finally {
    await client.close();
  }
}

/** The positional paths, or every workspace member with `--workspace`. */
async function publishPaths(ctx: Context, args: CommandArgs): Promise<string[]> {
  if (args.values.workspace !== true) {
    if (args.positionals.length === 0) {
      throw new WkgError("USAGE", "no publish targets: pass one or more paths, or run from a workspace with --workspace", {
        hint: "a workspace root is a wkg.toml with `[workspace] members = [...]`",
      });
    }
    return args.positionals;
  }
  if (args.positionals.length > 0) {
    throw new WkgError("USAGE", "`--workspace` selects every workspace member; do not also pass explicit path arguments");
  }
  const workspace = await findWorkspace(ctx.io.cwd);
  if (!workspace) {
    throw new WkgError("USAGE", `--workspace was given, but no workspace root was found from ${ctx.io.cwd}`, {
      hint: "a workspace root is a wkg.toml with `[workspace] members = [...]`",
    });
  }
  return workspace.members;
}

function fileItem(file: string): PlannedItem {
  return { file, input: file, dependsOn: [] };
}

/** Read, plan and build every path; refuse (unless --dry-run) when a build would change its wkg.lock. */
async function planned(
  ctx: Context,
  args: CommandArgs,
  client: WkgClient,
  paths: string[],
  pkg: string | undefined,
  registry: string | undefined,
): Promise<PlannedItem[]> {
  const targets = [];
  for (const path of paths) targets.push(await readPublishTarget(path, ctx.io.cwd));
  for (const target of targets) for (const warning of target.project?.manifest.manifest.warnings ?? []) ctx.reporter.warn(warning);
  const prepared = await preparePublish(targets, {
    source: client,
    logger: ctx.reporter.logger,
    signal: ctx.signal,
    offline: args.values.offline === true,
    producer: ["wkg", wkgVersion()],
  });
  const given = pkg ? PackageSpec.parse(pkg) : undefined;
  const items = prepared.map(({ step, target, bytes, lock }): PlannedItem => {
    const ref = given?.ref ?? PackageRef.parse(step.name);
    const version = given?.version ?? Version.parse(step.version);
    return {
      file: target.path,
      input: bytes,
      id: { ref, version },
      registry: client.router.registryFor(ref, registry).registry,
      dependsOn: step.dependsOn,
      built: target.project !== undefined,
      ...(lock ? { lock } : {}),
    };
  });
  const changed = items.filter((i) => i.lock && i.lock.changes.length > 0);
  for (const item of changed) {
    const lock = item.lock as NonNullable<PlannedItem["lock"]>;
    const text = `${lock.path} would change to build ${item.id?.ref}@${item.id?.version}:\n${formatLockDiff(lock.changes)}`;
    if (args.values["dry-run"] === true)
      ctx.reporter.warn(text, "publishing for real refuses this: run `wkg build` first and commit wkg.lock");
  }
  if (changed.length > 0 && args.values["dry-run"] !== true) {
    const diffs = changed.map((i) => `${i.lock?.path} (building ${i.id?.ref}@${i.id?.version}):\n${formatLockDiff(i.lock?.changes ?? [])}`);
    throw new WkgError("LOCKED", `wkg.lock would be updated during publish, aborting; nothing was published:\n${diffs.join("\n")}`, {
      hint: `run \`wkg build\` (or \`wkg fetch\`) in ${changed.length === 1 ? "that project" : "those projects"} first and commit wkg.lock; --dry-run shows the plan`,
      details: { locks: changed.map((i) => i.lock) },
    });
  }
  return items;
}

/** Publish in order. A failure part way names what was published and what was not. */
async function publishAll(
  ctx: Context,
  args: CommandArgs,
  client: WkgClient,
  items: PlannedItem[],
  options: { pkg: string | undefined; registry: string | undefined; dryRun: boolean },
): Promise<Published[]> {
  const { pkg, registry, dryRun } = options;
  const published: Published[] = [];
  for (const [index, item] of items.entries()) {
    try {
      const outcome = await client.publish(item.input, {
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
        file: item.file,
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
      if (args.values["skip-dupes"] === true && isWkgError(error, "VERSION_EXISTS")) {
        published.push(await skipped(ctx, client, item, error, dryRun));
        continue;
      }
      if (items.length === 1 || isAbortError(error) || !isWkgError(error)) throw error;
      throw stoppedAt(items, index, published, error, dryRun);
    }
  }
  return published;
}

/** `--skip-dupes`: the version exists. Same bytes: nothing to do (a rerun); different bytes: say so loudly. */
async function skipped(ctx: Context, client: WkgClient, item: PlannedItem, error: WkgError, dryRun: boolean): Promise<Published> {
  const details = error.details ?? {};
  const ref = PackageRef.parse(String(details.package));
  const version = Version.parse(String(details.version));
  const registry = String(details.registry);
  const id = `${ref}@${version}`;
  const theirs = (await client.getRelease(ref, version, { registry, signal: ctx.signal })).contentDigest;
  const ours = typeof item.input === "string" ? (await hashFile(item.input, { signal: ctx.signal })).digest : Digest.of(item.input);
  const identical = theirs.equals(ours);
  if (identical) ctx.reporter.status("Skipped", `${id}: already in ${registry} with the same content`);
  else {
    ctx.reporter.warn(
      `Skipping publish: ${id} already exists in the registry, with different content (${registry} has ${theirs}, this is ${ours})`,
      "bump the version to publish this content; --overwrite replaces it where the registry allows",
    );
  }
  return {
    file: item.file,
    package: ref.toString(),
    version: version.toString(),
    registry,
    digest: ours.toString(),
    dryRun,
    skipped: "already exists",
    identical,
  };
}

function stoppedAt(items: PlannedItem[], index: number, done: Published[], error: WkgError, dryRun: boolean): WkgError {
  const name = (i: PlannedItem) => (i.id ? `${i.id.ref}@${i.id.version}` : i.file);
  const failed = items[index] as PlannedItem;
  const published = done.filter((p) => !p.skipped).map((p) => `${p.package}@${p.version}`);
  const skippedIds = done.filter((p) => p.skipped).map((p) => `${p.package}@${p.version}`);
  const rest = items.slice(index).map(name);
  const lines = [
    `publishing stopped at ${name(failed)}: ${error.message}`,
    `  ${dryRun ? "checked (dry run)" : "published"}: ${published.join(", ") || "none"}`,
    ...(skippedIds.length ? [`  skipped (already published): ${skippedIds.join(", ")}`] : []),
    `  not published: ${rest.join(", ")}`,
  ];
  return new WkgError(error.code, lines.join("\n"), {
    hint:
      error.code === "VERSION_EXISTS"
        ? "if that version is yours, run the same command again with --skip-dupes (what is already published is skipped, the rest is published in order); otherwise bump the version"
        : `${error.hint ? `${error.hint}; then run` : "fix that, then run"} the same command again with --skip-dupes: what is already published is skipped, the rest is published in order`,
    cause: error,
    details: {
      failed: name(failed),
      published,
      skipped: skippedIds,
      notPublished: rest,
      ...(error.details ? { error: error.details } : {}),
    },
  });
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
