import { randomBytes } from "node:crypto";
import { open, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type TestRegistry, cleanupTempDirs, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnWkg } from "./helpers.js";

const MiB = 1024 * 1024;

/** Write a component-looking file of `size` bytes without holding it in memory. */
async function bigComponent(path: string, size: number): Promise<void> {
  const file = await open(path, "w");
  try {
    await file.write(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
    const block = randomBytes(MiB);
    for (let written = 8; written < size; written += block.length) {
      block[0] = (block[0] as number) + 1; // no two blocks alike
      await file.write(block, 0, Math.min(block.length, size - written));
    }
  } finally {
    await file.close();
  }
}

/**
 * Peak RSS of a real `wkg` process, in bytes: a preloaded module writes
 * `process.resourceUsage().maxRSS` when the process exits.
 */
async function peakRss(dir: string, argv: string[]): Promise<number> {
  const preload = join(dir, "rss.mjs");
  const out = join(dir, `rss-${argv[1]}-${Date.now()}`);
  await writeFile(
    preload,
    `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const result = await spawnWkg(argv, { cwd: dir, env: { NODE_OPTIONS: `--import=${preload}`, HOME: dir } });
  expect(result.code, result.stderr).toBe(0);
  return Number(await readFile(out, "utf8")) * 1024;
}

describe("memory stays flat as content grows (the built wkg, 256 MiB)", () => {
  let registry: TestRegistry;
  let dir: string;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "open" });
    dir = await tempDir();
  });
  afterAll(async () => {
    await registry?.stop();
    await cleanupTempDirs();
  });

  it("pushes and pulls a 256 MiB component with peak RSS well below its size", { timeout: 180_000 }, async () => {
    const measure = async (size: number, name: string) => {
      const file = join(dir, `${name}.wasm`);
      await bigComponent(file, size);
      const ref = `${registry.registry}/memory/${name}:1.0.0`;
      const push = await peakRss(dir, ["oci", "push", ref, file]);
      const pull = await peakRss(dir, ["oci", "pull", ref, "-o", join(dir, `${name}.out.wasm`)]);
      expect((await stat(join(dir, `${name}.out.wasm`))).size).toBe(size);
      return { push, pull };
    };
    const small = await measure(32 * MiB, "small");
    const large = await measure(256 * MiB, "large");
    const report = `peak RSS: 32 MiB push ${(small.push / MiB).toFixed(0)} MiB, pull ${(small.pull / MiB).toFixed(0)} MiB; 256 MiB push ${(large.push / MiB).toFixed(0)} MiB, pull ${(large.pull / MiB).toFixed(0)} MiB`;
    // Well below the content size...
    expect(large.push, report).toBeLessThan(192 * MiB);
    expect(large.pull, report).toBeLessThan(192 * MiB);
    // ...and not growing with it: 8x the content, about the same memory.
    expect(large.push - small.push, report).toBeLessThan(64 * MiB);
    expect(large.pull - small.pull, report).toBeLessThan(64 * MiB);
  });
});
