import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { open, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type TestRegistry, cleanupTempDirs, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

async function bigComponent(path: string, size: number): Promise<void> {
  const file = await open(path, "w");
  try {
    await file.write(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
    const block = randomBytes(MiB);
    for (let written = 8; written < size; written += block.length) {
      block[0] = (block[0] as number) + 1;
      await file.write(block, 0, Math.min(block.length, size - written));
    }
  } finally {
    await file.close();
  }
}

/** Run `script` in a fresh Node process using the built package; resolves with its peak RSS in bytes. */
async function peakRss(dir: string, script: string): Promise<number> {
  const path = join(dir, `child-${Date.now()}-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(
    path,
    `import * as oci from ${JSON.stringify(DIST)};\n${script}\nprocess.stdout.write(String(process.resourceUsage().maxRSS));\n`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(Number(out.trim().split("\n").at(-1)) * 1024) : reject(new Error(`child failed (${code}): ${err}`)),
    );
  });
}

describe("memory stays flat (the built package, a 256 MiB blob)", () => {
  let registry: TestRegistry;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    // Needs `pnpm build` (scripts/test.sh builds before testing): RSS is measured in a child process.
    expect(existsSync(DIST), `${DIST} is missing: run the build first`).toBe(true);
    registry = await startRegistry({ mode: "open" });
    dir = await tempDir();
    file = join(dir, "big.wasm");
    await bigComponent(file, SIZE);
  });
  afterAll(async () => {
    await registry?.stop();
    await cleanupTempDirs();
  });

  it.each(["monolithic", "chunked"] as const)("pushes %s from a file Blob without holding it", { timeout: 120_000 }, async (mode) => {
    const ref = `${registry.registry}/memory/${mode}:1.0.0`;
    const rss = await peakRss(
      dir,
      `import { openAsBlob } from "node:fs";
const client = new oci.OciClient({ env: {}, dockerConfig: false });
const pushed = await client.push(${JSON.stringify(ref)}, await openAsBlob(${JSON.stringify(file)}), { upload: { mode: ${JSON.stringify(mode)} } });
if (pushed.layer.size !== ${SIZE}) throw new Error("wrong size");
await client.close();`,
    );
    expect(rss, `peak RSS ${(rss / MiB).toFixed(0)} MiB`).toBeLessThan(SIZE * 0.75);
  });

  it("pulls to a file, verifying, without holding it", { timeout: 120_000 }, async () => {
    const ref = `${registry.registry}/memory/monolithic:1.0.0`;
    const out = join(dir, "out.wasm");
    const rss = await peakRss(
      dir,
      `const client = new oci.OciClient({ env: {}, dockerConfig: false });
await client.pullToFile(${JSON.stringify(ref)}, ${JSON.stringify(out)});
await client.close();`,
    );
    expect(rss, `peak RSS ${(rss / MiB).toFixed(0)} MiB`).toBeLessThan(SIZE * 0.75);
    const head = Buffer.alloc(8);
    const handle = await open(out, "r");
    await handle.read(head, 0, 8, 0);
    await handle.close();
    expect([...head]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
    expect((await stat(out)).size).toBe(SIZE);
  });
});
