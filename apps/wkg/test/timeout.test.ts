import { join } from "node:path";
import { cleanupTempDirs, startServer, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { runWkg } from "./helpers.js";

afterAll(cleanupTempDirs);

describe("--timeout / WKG_HTTP_TIMEOUT", () => {
  it("gives up on a registry that never answers, saying how to wait longer", async () => {
    // Accepts the request, then sends nothing at all.
    const silent = await startServer(() => new Promise(() => {}));
    try {
      const dir = await tempDir();
      const started = Date.now();
      const result = await runWkg(["oci", "pull", `${silent.authority}/silent/app:1.0.0`, "-o", join(dir, "app.wasm")], {
        env: { WKG_HTTP_TIMEOUT: "0.2" },
        cwd: dir,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/timed out/);
      expect(result.stderr).toContain("WKG_HTTP_TIMEOUT");
      // Four attempts of 0.2 s plus backoff, not four of the 30 s default.
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await silent.close();
    }
  });

  it("rejects a timeout that is not a positive number of seconds as a usage error", async () => {
    const result = await runWkg(["get", "wasi:http@0.2.0", "--timeout", "soon"], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --timeout "soon"');
  });
});
