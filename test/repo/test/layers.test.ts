import { spawnSync } from "node:child_process";
import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";

afterAll(cleanupTempDirs);

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = join(ROOT, "scripts", "check-layers.mjs");

function check(root: string) {
  return spawnSync(process.execPath, [SCRIPT, root], { encoding: "utf8" });
}

async function fakePackage(root: string, group: string, dir: string, name: string, source: string) {
  await mkdir(join(root, group, dir, "src"), { recursive: true });
  await writeFile(join(root, group, dir, "package.json"), JSON.stringify({ name }));
  await writeFile(join(root, group, dir, "src", "index.ts"), source);
}

describe("layer check", () => {
  it("passes on this repository", () => {
    const result = check(ROOT);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("fails on a planted forbidden import, naming file and line", async () => {
    const root = await tempDir();
    await fakePackage(root, "packages", "common", "@wasm-pkg/common", "export const x = 1;\n");
    await fakePackage(root, "packages", "config", "@wasm-pkg/config", 'import { x } from "@wasm-pkg/common";\nexport { x };\n');
    await fakePackage(root, "packages", "wit", "@wasm-pkg/wit", "export const w = 1;\n");
    // common must not import anything internal
    await writeFile(join(root, "packages", "common", "src", "bad.ts"), '\n\nimport { w } from "@wasm-pkg/wit";\nexport { w };\n');
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("packages/common/src/bad.ts:3: @wasm-pkg/common may not import @wasm-pkg/wit");
  });

  it("fails when a library imports the CLI or a test package, even dynamically", async () => {
    const root = await tempDir();
    await fakePackage(root, "packages", "common", "@wasm-pkg/common", "export {};\n");
    await fakePackage(root, "apps", "wkg", "wkg", "export {};\n");
    await fakePackage(root, "test", "utils", "@wasm-pkg/test-utils", "export {};\n");
    await fakePackage(root, "packages", "wit", "@wasm-pkg/wit", 'const m = await import("wkg");\nimport "@wasm-pkg/test-utils";\n');
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("@wasm-pkg/wit may not import wkg");
    expect(result.stderr).toContain("@wasm-pkg/wit may not import @wasm-pkg/test-utils");
  });

  it("fails on a package with no layer rule", async () => {
    const root = await tempDir();
    await cp(join(ROOT, "scripts"), join(root, "scripts"), { recursive: true });
    await fakePackage(root, "packages", "mystery", "@wasm-pkg/mystery", "export {};\n");
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no layer rule for "mystery"');
  });
});
