import { cp } from "node:fs/promises";
import { join } from "node:path";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLES } from "./project.js";
import { wkg } from "./run.js";

afterAll(cleanupTempDirs);

/** A copy of examples/hello, resolved through the example registry (examples/config.toml) into `cache`. */
async function hello(cache: string) {
  const dir = await tempDir();
  await cp(join(EXAMPLES, "hello"), dir, { recursive: true });
  const env = { HOME: dir, WKG_CONFIG_FILE: join(EXAMPLES, "config.toml"), WKG_CACHE_DIR: cache };
  return (...argv: string[]) => wkg(argv, env, dir);
}

/** The last line of stderr is the summary, with these counts (the time is not asserted). */
function expectSummary(stderr: string, counts: string): void {
  const last = stderr.trimEnd().split("\n").at(-1) as string;
  expect(last.replace(/in \d+(\.\d+)? (ms|s)$/, "in <time>")).toBe(`     Summary ${counts}, in <time>`);
}

describe("the summary line of fetch, update and build", () => {
  it("counts downloads on a cold fetch, cache hits on a warm one, and lock changes", async () => {
    const cache = join(await tempDir(), "cache");
    const run = await hello(cache);

    const cold = await run("fetch");
    expect(cold.code).toBe(0);
    expectSummary(cold.stderr, "2 packages resolved (2 downloaded, 0 from the cache), 2 lock changes");

    const warm = await run("fetch", "--json");
    expect(warm.code).toBe(0);
    const { summary } = JSON.parse(warm.stdout);
    expect(summary).toMatchObject({ resolved: 2, downloaded: 0, cached: 2, lockChanges: 0 });
    expect(typeof summary.ms).toBe("number");

    // Another project sharing the cache: nothing to download, but its lock is new.
    const other = await hello(cache);
    const shared = await other("fetch");
    expectSummary(shared.stderr, "2 packages resolved (0 downloaded, 2 from the cache), 2 lock changes");

    const update = await run("update");
    expect(update.code).toBe(0);
    expectSummary(update.stderr, "2 packages resolved (0 downloaded, 2 from the cache), 0 lock changes");

    const build = await run("build", "--json");
    expect(build.code).toBe(0);
    expect(JSON.parse(build.stdout).summary).toMatchObject({ resolved: 2, downloaded: 0, cached: 2, lockChanges: 0 });
    const text = await run("build");
    expectSummary(text.stderr, "2 packages resolved (0 downloaded, 2 from the cache), 0 lock changes");
  });

  it("a build from a cold cache downloads what it embeds and locks it", async () => {
    const run = await hello(join(await tempDir(), "cache"));
    const build = await run("build", "--json");
    expect(build.code).toBe(0);
    expect(JSON.parse(build.stdout).summary).toMatchObject({ resolved: 2, downloaded: 2, cached: 0, lockChanges: 2 });
  });

  it("says nothing with -q", async () => {
    const run = await hello(join(await tempDir(), "cache"));
    const quiet = await run("fetch", "-q");
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain("Summary");
  });
});
