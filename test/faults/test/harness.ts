import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cp, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type FaultRule, type ScheduledFault, scheduledFaults, tempDir } from "@wasm-pkg/test-utils";
import { expect } from "vitest";
import { type Io, main } from "wkg";

/** The built CLI (`pnpm build`), for the tests that kill a real process. */
export const BIN = join(dirname(createRequire(import.meta.url).resolve("wkg/package.json")), "bin", "wkg.js");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in-process with its own environment (nothing from the test's HOME leaks in). */
export async function wkg(argv: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env,
    cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The real process; `kill` sends SIGKILL. Resolves `done` with the exit code (null when killed). */
export function spawnWkg(argv: string[], env: Record<string, string>, cwd: string) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...argv], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  child.stdout?.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { pid: child.pid as number, done, kill: () => child.kill("SIGKILL") };
}

/** A component-looking file of random bytes. */
export function component(size: number): Uint8Array {
  const bytes = randomBytes(size);
  bytes.set([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
  return bytes;
}

export const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/** `tempPathFor`'s names (`.<target>.<pid>.<8 hex>.tmp`): what a write in progress looks like. */
export const TEMP_NAME = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/;

/** Every file under `dir`, hidden ones too, relative path -> sha256 (missing dir: empty). */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = sha256(await readFile(path));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** The sha256 of a file, or undefined when it does not exist. */
export async function hashOf(path: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(path));
  } catch {
    return undefined;
  }
}

/** Temp files and staging directories under `dir` (a run's leftovers). */
export async function leftovers(dir: string): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => TEMP_NAME.test(e.name) || /^\.deps\.(new|old)-/.test(e.name) || e.name === "wkg.lock.lock")
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/**
 * The cache is never a mix: every content entry holds exactly the bytes its name is the digest
 * of (complete, verified), and every release record is whole JSON naming a digest. Returns the
 * digests present. Temp files of an interrupted write may exist; they are not entries.
 */
export async function expectIntactCache(cacheDir: string): Promise<string[]> {
  const files = await snapshot(cacheDir);
  const digests: string[] = [];
  for (const [path, hash] of Object.entries(files)) {
    const name = path.split("/").pop() as string;
    if (TEMP_NAME.test(name)) continue;
    if (path.includes("/content-v1/")) {
      expect(hash, `cache entry ${path} is not the content its name says`).toBe(name);
      digests.push(name);
    } else if (path.includes("/releases-v1/")) {
      const record = JSON.parse(await readFile(join(cacheDir, path), "utf8")) as { contentDigest?: string };
      expect(record.contentDigest, `release record ${path}`).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  }
  return digests;
}

/** A failure a user can act on: exit 1, an `error:` line, no stack trace. */
export function expectCleanFailure(run: { code: number | null; stderr: string }): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(/error/i);
  expect(run.stderr, "no stack traces for network faults").not.toMatch(/\n\s+at .+:\d+:\d+/);
}

/** One of the states a run may leave: the one before, or the one a clean run makes. */
export function expectOldOrNew<T>(actual: T, old: T, next: T, what: string): "old" | "new" {
  if (JSON.stringify(actual) === JSON.stringify(next)) return "new";
  expect(actual, `${what} is neither the old state nor the new one`).toEqual(old);
  return "old";
}

const isBlob = (r: { method: string; path: string }) => r.method === "GET" && r.path.includes("/blobs/sha256:");
const isManifest = (r: { method: string; path: string }) => r.path.includes("/manifests/");
const isUpload = (r: { method: string; path: string }) => r.path.includes("/blobs/uploads/");

/**
 * What a bad network and a struggling registry do, drawn per request from a generator seeded
 * with `seed` (so a failing seed can be replayed): transient 5xx and 429s, connections that
 * die before or in the middle of a body, bodies that end early with nothing to give it away,
 * flipped bytes, a stall, a slow answer.
 */
export function networkFaults(seed: number, extra: ScheduledFault[] = []): FaultRule {
  return scheduledFaults(seed, [
    ...extra,
    { fault: { respond: { status: 503, body: "service unavailable" } }, rate: 0.1 },
    {
      fault: {
        respond: { status: 500, headers: { "content-type": "application/json" }, body: '{"errors":[{"code":"UNKNOWN","message":"boom"}]}' },
      },
      rate: 0.06,
    },
    { fault: { respond: { status: 429, headers: { "retry-after": "0" }, body: "too many requests" } }, rate: 0.08 },
    { fault: { corrupt: 123_457 }, match: isBlob, rate: 0.1 },
    { fault: { dropAfter: 0 }, rate: 0.06 },
    { fault: { dropAfter: 300_000 }, match: isBlob, rate: 0.2 },
    { fault: { truncateAfter: 200_000 }, match: isBlob, rate: 0.1 },
    { fault: { truncateAfter: 40 }, match: (r) => isManifest(r) && r.method === "GET", rate: 0.04 },
    { fault: { corrupt: 10 }, match: (r) => isManifest(r) && r.method === "GET", rate: 0.04 },
    { fault: { stallAfter: 100_000 }, match: isBlob, rate: 0.05 },
    { fault: { dropAfter: 0 }, match: isUpload, rate: 0.1 },
    { fault: { delay: 40 }, rate: 0.1 },
  ]);
}

/** The kinds of fault the proxy applied, summed over runs. */
export function addFaults(total: Record<string, number>, faults: Record<string, number>): void {
  for (const [kind, n] of Object.entries(faults)) total[kind] = (total[kind] ?? 0) + n;
}

/** A copy of a directory tree in a fresh temp dir (the "old state" every run starts from). */
export async function copyTree(from: string): Promise<string> {
  const to = await tempDir();
  if (
    await stat(from).then(
      () => true,
      () => false,
    )
  )
    await cp(from, to, { recursive: true });
  return to;
}

export async function writeFileIn(dir: string, name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** Poll until `check` holds (or give up after `timeoutMs`). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000, what = "a condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
