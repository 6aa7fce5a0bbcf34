import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Digest } from "@wasm-pkg/common";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, expect, it, vi } from "vitest";
import { seed } from "./helpers.js";

afterAll(cleanupTempDirs);

it("runs the README example", async () => {
  const readme = await readFile(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toContain("createClient");
  const registry = await tempDir();
  const cache = await tempDir();
  const work = await tempDir();
  await seed(registry, { "wasi:http@0.2.0": "zero-two-zero", "wasi:http@0.2.3": "zero-two-three", "wasi:http@0.3.0-rc.1": "rc" });
  // The default inspector decodes what is published: it must be a real component or WIT package.
  const app = await readFile(fileURLToPath(new URL("../../../examples/registry/wasi/http/0.2.0.wasm", import.meta.url)));
  await writeFile(join(work, "app.wasm"), app);
  const runnable = (code as string)
    .replace('"/srv/wasm-registry"', JSON.stringify(registry))
    .replace('"/tmp/wkg-example-cache"', JSON.stringify(cache))
    .replace('"./vendor"', JSON.stringify(join(work, "vendor")))
    .replace('"./app.wasm"', JSON.stringify(join(work, "app.wasm")));
  const file = fileURLToPath(new URL(`./readme-example.${process.pid}.generated.ts`, import.meta.url));
  await writeFile(file, runnable);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    await rm(file, { force: true });
  }
  expect(log.mock.calls.map((c) => c.join(" "))).toEqual([
    `wasi:http@0.2.3: ${Digest.of("zero-two-three")}, 14 bytes`,
    "published example:app@1.0.0 to my-files 14",
  ]);
  expect(await readFile(join(work, "vendor", "wasi_http@0.2.3.wasm"), "utf8")).toBe("zero-two-three");
  expect(Buffer.compare(await readFile(join(registry, "example", "app", "1.0.0.wasm")), app)).toBe(0);
});
