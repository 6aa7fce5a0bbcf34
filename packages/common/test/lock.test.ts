import { mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withFileLock } from "../src/index.js";

// common sits below test-utils, so it makes its own temp dirs.
const tempDir = () => mkdtemp(join(tmpdir(), "wkg-lock-"));

describe("withFileLock", () => {
  it("serialises concurrent holders", async () => {
    const dir = await tempDir();
    const events: string[] = [];
    const task = (name: string) =>
      withFileLock(join(dir, "wkg.lock"), async () => {
        events.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 30));
        events.push(`${name}-`);
      });
    await Promise.all([task("a"), task("b"), task("c")]);
    for (let i = 0; i < events.length; i += 2) expect(events[i]?.[0]).toBe(events[i + 1]?.[0]);
  });

  it("takes over a lock whose owner process is gone", async () => {
    const dir = await tempDir();
    const lockDir = join(dir, "x.lock");
    await mkdir(lockDir);
    await writeFile(join(lockDir, "owner"), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    expect(await withFileLock(join(dir, "x"), async () => "ran", { timeoutMs: 2000 })).toBe("ran");
  });

  it("times out with a hint when a live process holds it", async () => {
    const dir = await tempDir();
    const lockDir = join(dir, "y.lock");
    await mkdir(lockDir);
    await writeFile(join(lockDir, "owner"), JSON.stringify({ pid: process.ppid }));
    let waitedFor = "";
    await expect(
      withFileLock(join(dir, "y"), async () => "never", { timeoutMs: 100, onWait: (h) => (waitedFor = h) }),
    ).rejects.toMatchObject({ code: "IO", message: expect.stringContaining(`held by process ${process.ppid}`) });
    expect(waitedFor).toBe(`process ${process.ppid}`);
  });

  it("is never seen without its owner, and leaves nothing beside it", async () => {
    const dir = await tempDir();
    const seen = await withFileLock(join(dir, "w"), async () => JSON.parse(await readFile(join(dir, "w.lock", "owner"), "utf8")));
    expect(seen.pid).toBe(process.pid);
    expect(await readdir(dir)).toEqual([]);
  });

  it("releases the lock when the work throws", async () => {
    const dir = await tempDir();
    await expect(withFileLock(join(dir, "z"), async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await withFileLock(join(dir, "z"), async () => 1, { timeoutMs: 100 })).toBe(1);
  });
});
