import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Digest, hashFile } from "../src/index.js";

describe("hashFile", async () => {
  const dir = await mkdtemp(join(tmpdir(), "wkg-hash-"));
  const bytes = randomBytes(3 * 1024 * 1024 + 17);
  const file = join(dir, "a.wasm");
  await writeFile(file, bytes);

  it.each([false, true])("gives the sha256 and size of a file (off thread: %s)", async (offThread) => {
    const { digest, size } = await hashFile(file, { offThread });
    expect(digest.equals(Digest.of(bytes))).toBe(true);
    expect(size).toBe(bytes.byteLength);
  });

  it("hashes an empty file", async () => {
    await writeFile(join(dir, "empty"), "");
    expect((await hashFile(join(dir, "empty"), { offThread: true })).digest.equals(Digest.of(""))).toBe(true);
  });

  it.each([false, true])("names the file it cannot read (off thread: %s)", async (offThread) => {
    await expect(hashFile(join(dir, "missing.wasm"), { offThread })).rejects.toMatchObject({
      code: "IO",
      message: expect.stringMatching(/failed to read .*missing\.wasm: .*ENOENT/),
    });
  });

  it("stops a worker when aborted, unwrapped", async () => {
    const controller = new AbortController();
    const pending = hashFile(file, { offThread: true, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});
