import { dirname } from "node:path";
import type { CallOptions, Logger, PackageSource } from "@wasm-pkg/common";
import type { LockChange } from "@wasm-pkg/lockfile";
import { buildProject } from "./build.js";
import { type LocalPackage, readLocalPackage } from "./local.js";
import { type PlanStep, planPublish } from "./publish-plan.js";
import type { PublishTarget } from "./publish-targets.js";

export interface PreparePublishOptions extends CallOptions {
  /** Where registry dependencies come from (the client). */
  source: PackageSource;
  logger?: Logger;
  offline?: boolean;
  /** The tool recorded in each built package's `producers` section. */
  producer?: [string, string];
}

/** One package ready to publish: its place in the plan and the bytes to upload. */
export interface PreparedPublish {
  step: PlanStep;
  target: PublishTarget;
  bytes: Uint8Array;
  /** A built directory: its lock, and how building changed it (the lock is never written). */
  lock?: { path: string; changes: LockChange[] };
}

/**
 * Plan a publish set and produce every package's bytes before anything is uploaded, so a
 * package that does not build stops the publish before it starts. Directories are built as
 * `wkg build` builds them, except that the packages of the set (and the other members of a
 * workspace) resolve from disk: each is built against the versions being published, never
 * against an older copy in the registry — upstream's temporary local registry, without the
 * round trip. Nothing is written: the lock's would-be changes are returned, leaving out entries
 * for packages of the set (they are published here, not fetched).
 */
export async function preparePublish(targets: PublishTarget[], options: PreparePublishOptions): Promise<PreparedPublish[]> {
  const steps = planPublish(
    targets.map((t) => ({
      name: t.package.name,
      ...(t.package.version ? { version: t.package.version } : {}),
      path: t.path,
      uses: t.uses,
    })),
  );
  const byName = new Map(targets.map((t) => [t.package.name, t]));
  const inSet = new Set(byName.keys());
  const members = new Map<string, LocalPackage>();
  const prepared: PreparedPublish[] = [];
  for (const step of steps) {
    const target = byName.get(step.name) as PublishTarget;
    const project = target.project;
    if (!project) {
      prepared.push({ step, target, bytes: (target.package.entry as { bytes: Uint8Array }).bytes });
      continue;
    }
    options.logger?.({ type: "status", label: "Building", message: `${step.name}@${step.version} from ${target.package.path}` });
    // The set first; then workspace members the set does not replace.
    const locals = new Map([...byName].map(([name, t]) => [name, t.package]));
    for (const dir of project.members ?? []) {
      let member = members.get(dir);
      if (!member) {
        member = await readLocalPackage(dir);
        members.set(dir, member);
      }
      if (!locals.has(member.name)) locals.set(member.name, member);
    }
    const manifest = project.manifest;
    const result = await buildProject({
      witDir: project.witDir,
      lockPath: project.lockPath,
      manifest: manifest.manifest,
      manifestDir: manifest.path ? dirname(manifest.path) : manifest.dir,
      source: options.source,
      locals: [...locals.values()],
      keepOtherEntries: project.members !== undefined,
      write: false,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.offline ? { offline: true } : {}),
      ...(options.producer ? { producer: options.producer } : {}),
    });
    const changes = result.lockChanges.filter((c) => !inSet.has(c.name));
    prepared.push({ step, target, bytes: result.bytes, lock: { path: project.lockPath, changes } });
  }
  return prepared;
}
