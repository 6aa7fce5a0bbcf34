import { lockEntries, type LockEntry } from "./entries.js";
import type { LockFile } from "./types.js";

export interface LockChange {
  kind: "added" | "removed" | "changed";
  name: string;
  registry?: string;
  requirement: string;
  before?: { version: string; digest: string };
  after?: { version: string; digest: string };
}

const key = (e: LockEntry) => `${e.name}\u0000${e.registry ?? ""}\u0000${e.requirement.text}`;
const state = (e: LockEntry) => ({ version: e.version.text, digest: e.digest.toString() });

/** What changes from `before` to `after`, entry by entry, in a stable order. */
export function diffLocks(before: LockFile, after: LockFile): LockChange[] {
  const old = new Map(lockEntries(before).map((e) => [key(e), e]));
  const next = new Map(lockEntries(after).map((e) => [key(e), e]));
  const changes: LockChange[] = [];
  const base = (e: LockEntry) => ({
    name: e.name.toString(),
    ...(e.registry === undefined ? {} : { registry: e.registry }),
    requirement: e.requirement.text,
  });
  for (const [k, e] of next) {
    const prev = old.get(k);
    if (!prev) changes.push({ kind: "added", ...base(e), after: state(e) });
    else if (!prev.version.equals(e.version) || !prev.digest.equals(e.digest))
      changes.push({ kind: "changed", ...base(e), before: state(prev), after: state(e) });
  }
  for (const [k, e] of old) if (!next.has(k)) changes.push({ kind: "removed", ...base(e), before: state(e) });
  return changes.sort((a, b) => (a.name === b.name ? (a.requirement < b.requirement ? -1 : 1) : a.name < b.name ? -1 : 1));
}

/** A diff for humans: `+ wasi:http =0.2.0 -> 0.2.0`, `~ wasi:io ^0.2 0.2.0 -> 0.2.1`, `- ...`. */
export function formatLockDiff(changes: LockChange[]): string {
  return changes
    .map((c) => {
      const where = c.registry ? ` (${c.registry})` : "";
      if (c.kind === "added") return `+ ${c.name} ${c.requirement} -> ${c.after?.version}${where}`;
      if (c.kind === "removed") return `- ${c.name} ${c.requirement} (was ${c.before?.version})${where}`;
      const digestOnly = c.before?.version === c.after?.version;
      return `~ ${c.name} ${c.requirement} ${c.before?.version} -> ${c.after?.version}${digestOnly ? ` (digest ${c.before?.digest.slice(0, 19)}… -> ${c.after?.digest.slice(0, 19)}…)` : ""}${where}`;
    })
    .join("\n");
}
