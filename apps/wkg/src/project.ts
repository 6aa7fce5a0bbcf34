import { stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { type PackageSource, WkgError } from "@wasm-pkg/common";
import { LOCK_FILE_NAME, type LoadedManifest, findNearestManifest, findWorkspace } from "@wasm-pkg/lockfile";
import type { CommandArgs } from "./cli/spec.js";
import type { Context } from "./context.js";

/** Where a WIT project command works: its WIT directories, manifest and lock file. */
export interface ProjectLayout {
  witDirs: string[];
  manifest: LoadedManifest;
  lockPath: string;
  workspace: boolean;
}

/**
 * Upstream HEAD's rules, made explicit: a directory given (`[DIR]` or `-d/--wit-dir`) is one
 * package, with the nearest `wkg.toml` (and its directory's `wkg.lock`); with no directory, a
 * workspace root (the nearest manifest declares `[workspace]`, or `--workspace` finds one) means
 * every member, sharing the root's lock; otherwise `./wit`. Member directories that hold their
 * own `wkg.toml` still fetch as part of the workspace when `--workspace` is asked for, or when
 * that `wkg.toml` names the root (`[workspace] root = "…"`, upstream's member form).
 */
export async function projectLayout(ctx: Context, args: CommandArgs, positionalDir?: string): Promise<ProjectLayout> {
  const cwd = ctx.io.cwd;
  const flagDir = typeof args.values["wit-dir"] === "string" ? args.values["wit-dir"] : undefined;
  if (flagDir && positionalDir && resolve(cwd, flagDir) !== resolve(cwd, positionalDir)) {
    throw new WkgError("USAGE", "give the WIT directory once: either [DIR] or --wit-dir");
  }
  const explicit = positionalDir ?? flagDir;
  const wantWorkspace = args.values.workspace === true;
  if (wantWorkspace && explicit) throw new WkgError("USAGE", "--workspace selects every member; do not also pass a directory");

  const nearest = await findNearestManifest(cwd);
  if (!explicit) {
    const workspace = await findWorkspace(cwd);
    const atRoot = workspace && nearest && workspace.root.dir === nearest.dir;
    // A member that names its root (`[workspace] root = "…"`) works within the workspace: one lock.
    if (workspace && (atRoot || wantWorkspace || workspace.declaredBy)) {
      for (const member of workspace.members) await requireDir(member, cwd);
      return { witDirs: workspace.members, manifest: workspace.root, lockPath: join(workspace.root.dir, LOCK_FILE_NAME), workspace: true };
    }
    if (wantWorkspace) {
      throw new WkgError("USAGE", `--workspace was given, but no workspace root was found from ${cwd}`, {
        hint: "a workspace root is a wkg.toml with [workspace] members = [...]",
      });
    }
  }
  const witDir = resolve(cwd, explicit ?? "wit");
  await requireDir(witDir, cwd);
  const manifest = nearest ?? { manifest: { overrides: {}, warnings: [] }, path: undefined, dir: cwd };
  return { witDirs: [witDir], manifest, lockPath: join(nearest ? nearest.dir : cwd, LOCK_FILE_NAME), workspace: false };
}

async function requireDir(dir: string, cwd: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch {
    // fall through
  }
  throw new WkgError("IO", `unable to read wit directory: ${relative(cwd, dir) || dir}`, {
    hint: "run this from the parent of your wit/ directory, or name it: `wkg fetch <DIR>` (or -d/--wit-dir <DIR>)",
  });
}

export function manifestDir(layout: ProjectLayout): string {
  return layout.manifest.path ? dirname(layout.manifest.path) : layout.manifest.dir;
}

/** The options every project command passes to wit-tools: where things are, the client, the flags. */
export function projectOptions(ctx: Context, args: CommandArgs, layout: ProjectLayout, source: PackageSource) {
  return {
    lockPath: layout.lockPath,
    manifest: layout.manifest.manifest,
    manifestDir: manifestDir(layout),
    source,
    logger: ctx.reporter.logger,
    signal: ctx.signal,
    locked: args.values.locked === true,
    offline: args.values.offline === true,
  };
}
