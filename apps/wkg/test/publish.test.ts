import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Digest } from "@wasm-pkg/common";
import { cleanupTempDirs, fakeInspector, fakeWasm } from "@wasm-pkg/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { HTTP_WASM, witPackage, workspace } from "./workspace.js";

afterAll(cleanupTempDirs);

const BASE = { base: "func() -> u32" };
const CHANGED = { base: "func() -> string" };

describe("wkg publish", () => {
  it("publishes a file under --package, and wkg get returns the same bytes", async () => {
    const ws = await workspace();
    const published = await ws.run(["publish", HTTP_WASM, "--package", "wasi:http@0.2.0"]);
    expect(published.stderr).toContain("Published wasi:http@0.2.0 to files");
    expect(published.code).toBe(0);
    expect(published.stdout).toBe("");
    expect(await readdir(join(ws.registry, "wasi", "http"))).toEqual(["0.2.0.wasm"]);
    expect((await ws.run(["get", "wasi:http@0.2.0", "-o", "http.wasm"])).code).toBe(0);
    expect(Buffer.compare(await readFile(join(ws.cwd, "http.wasm")), await readFile(HTTP_WASM))).toBe(0);
  });

  it("reports what it published with --json, and reads --package from WKG_PACKAGE", async () => {
    const ws = await workspace();
    const app = await witPackage("example:app@1.0.0");
    await writeFile(join(ws.cwd, "app.wasm"), app);
    const result = await ws.run(["publish", "app.wasm", "--json"], { env: { WKG_PACKAGE: "example:app@1.0.0" } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      published: [
        {
          file: join(ws.cwd, "app.wasm"),
          package: "example:app",
          version: "1.0.0",
          registry: "files",
          protocol: "local",
          digest: Digest.of(app).toString(),
          dryRun: false,
          semver: "first in series",
          location: join(ws.registry, "example", "app", "1.0.0.wasm"),
        },
      ],
      warnings: [],
    });
  });

  it("refuses an existing version, or skips it with --skip-dupes", async () => {
    const old = await witPackage("example:app@1.0.0", "old: func();");
    const next = await witPackage("example:app@1.0.0", "new: func();");
    const ws = await workspace({ "example:app@1.0.0": old });
    await writeFile(join(ws.cwd, "app.wasm"), next);
    const refused = await ws.run(["publish", "app.wasm", "--package", "example:app@1.0.0"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error: example:app@1.0.0 already exists in registry files");
    expect(refused.stderr).toContain("--skip-dupes");
    const skipped = await ws.run(["publish", "app.wasm", "--package", "example:app@1.0.0", "--skip-dupes", "--skip-semver-check"]);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain("warning: Skipping publish: example:app@1.0.0 already exists in the registry");
    expect(Buffer.compare(await readFile(join(ws.registry, "example", "app", "1.0.0.wasm")), old)).toBe(0);
    const replaced = await ws.run(["publish", "app.wasm", "--package", "example:app@1.0.0", "--overwrite"]);
    expect(replaced.code).toBe(0);
    expect(Buffer.compare(await readFile(join(ws.registry, "example", "app", "1.0.0.wasm")), next)).toBe(0);
  });

  it("uploads nothing on --dry-run", async () => {
    const ws = await workspace();
    const result = await ws.run(["publish", HTTP_WASM, "--package", "wasi:http@0.2.0", "--dry-run"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("wasi:http@0.2.0 would be published to files; nothing was uploaded");
    expect(await readdir(ws.registry)).toEqual([]);
  });

  it("publishes to --registry", async () => {
    const ws = await workspace({}, '[registry."other"]\ndefault = "local"\n[registry."other".local]\nroot = "other-registry"\n');
    const app = await witPackage("example:app@1.0.0");
    await writeFile(join(ws.cwd, "app.wasm"), app);
    const result = await ws.run(["publish", "app.wasm", "--package", "example:app@1.0.0", "--registry", "other"]);
    expect(result.code).toBe(0);
    expect(Buffer.compare(await readFile(join(ws.dir, "other-registry", "example", "app", "1.0.0.wasm")), app)).toBe(0);
    expect(await readdir(ws.registry)).toEqual([]);
  });

  it("explains what is missing: the identity, a version, a file", async () => {
    const ws = await workspace();
    await writeFile(join(ws.cwd, "a.wasm"), "a");
    const notWasm = await ws.run(["publish", "a.wasm"]);
    expect(notWasm.code).toBe(1);
    expect(notWasm.stderr).toContain("malformed component: this is not a wasm binary");
    // Without a WIT decoder, wkg cannot read the identity at all and says how to give it.
    const noIdentity = await ws.run(["publish", "a.wasm"], { inspector: null });
    expect(noIdentity.code).toBe(1);
    expect(noIdentity.stderr).toContain("cannot read the package name and version of");
    expect(noIdentity.stderr).toContain("help: name it explicitly: --package <namespace>:<name>@<version>");
    const noVersion = await ws.run(["publish", "a.wasm", "--package", "example:a"]);
    expect(noVersion.code).toBe(2);
    expect(noVersion.stderr).toContain("version is required when manually overriding the package ID");
    const twoPaths = await ws.run(["publish", "a.wasm", "a.wasm", "--package", "example:a@1.0.0"]);
    expect(twoPaths.code).toBe(2);
    expect(twoPaths.stderr).toContain("`--package` is currently only supported when providing one path argument");
    const missing = await ws.run(["publish", "nope.wasm", "--package", "example:a@1.0.0"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope.wasm: no such file");
    expect((await ws.run(["publish"])).code).toBe(2);
  });

  it("reads identities from WIT packages and enforces the semver gate", async () => {
    const ws = await workspace();
    const files: Record<string, Uint8Array> = {
      "a-0.1.0.wasm": fakeWasm({ package: "example:a@0.1.0", exports: BASE }),
      "b-1.0.0.wasm": fakeWasm({ package: "example:b@1.0.0", exports: BASE }),
      "a-0.1.1.wasm": fakeWasm({ package: "example:a@0.1.1", exports: CHANGED }),
    };
    for (const [name, data] of Object.entries(files)) await writeFile(join(ws.cwd, name), data);
    const run = (argv: string[]) => ws.run(argv, { inspector: fakeInspector });
    // (Several paths are planned with the real WIT decoder: publish-set.test.ts.)
    const a = await run(["publish", "a-0.1.0.wasm"]);
    expect(a.code).toBe(0);
    expect(a.stderr).toContain("Published example:a@0.1.0 to files");
    expect((await run(["publish", "b-1.0.0.wasm"])).stderr).toContain("Published example:b@1.0.0 to files");
    const gated = await run(["publish", "a-0.1.1.wasm"]);
    expect(gated.code).toBe(1);
    expect(gated.stderr).toContain(
      "error: new version example:a@0.1.1 is not semver-compatible with existing version 0.1.0: export `base` changed from func() -> u32 to func() -> string",
    );
    expect(gated.stderr).toContain("--skip-semver-check");
    expect((await run(["publish", "a-0.1.1.wasm", "--skip-semver-check"])).code).toBe(0);
    expect((await readdir(join(ws.registry, "example", "a"))).sort()).toEqual(["0.1.0.wasm", "0.1.1.wasm"]);
  });
});
