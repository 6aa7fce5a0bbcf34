import { readFile, writeFile } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { PrivateKey, hashText, sha256, signCheckpoint, utf8 } from "../src/protocol/index.js";
import { TrustStore, safeLabel } from "../src/trust-store.js";

afterAll(cleanupTempDirs);

const key = PrivateKey.generate();
const h = (s: string) => hashText(sha256(utf8(s)));
const cp = (logLength: number) =>
  signCheckpoint({ logLength, logRoot: h(`log${logLength}`), mapRoot: h(`map${logLength}`), timestamp: 1 }, key);

describe("safe labels", () => {
  it("match warg's directory names", () => {
    expect(safeLabel(new URL("http://localhost:80"))).toBe("localhost");
    expect(safeLabel(new URL("https://port:1234/with/path"))).toBe("port-1234_with_path");
    expect(safeLabel(new URL("https://[abcd::1234]:5678"))).toBe("ipv6_abcd..1234-5678");
    expect(safeLabel(new URL("https://h/a.b_c*d/"))).toBe("h_a.2Eb.5Fc.2Ad");
  });
});

describe("trust store", () => {
  it("round-trips state per registry and per federated domain", async () => {
    const dir = await tempDir();
    const home = new TrustStore(dir, new URL("http://127.0.0.1:8080/"));
    const other = new TrustStore(dir, new URL("http://127.0.0.1:8080/"), "other.example");
    expect(other.file).not.toBe(home.file);
    expect(await home.read()).toBeUndefined();
    const c3 = cp(3);
    await home.write({ checkpoint: c3, heads: { [h("a")]: { index: 2, recordId: h("r") } } });
    expect(await home.read()).toEqual({ checkpoint: c3, heads: { [h("a")]: { index: 2, recordId: h("r") } } });
    expect(await other.read()).toBeUndefined();
  });

  it("never moves backwards when another process wrote newer state", async () => {
    const dir = await tempDir();
    const store = new TrustStore(dir, new URL("https://r.example/"));
    await store.write({ checkpoint: cp(9), heads: { [h("a")]: { index: 8, recordId: h("new") } } });
    await store.write({
      checkpoint: cp(5),
      heads: { [h("a")]: { index: 4, recordId: h("old") }, [h("b")]: { index: 3, recordId: h("b") } },
    });
    const state = await store.read();
    expect(state?.checkpoint.contents.logLength).toBe(9);
    expect(state?.heads[h("a")]).toEqual({ index: 8, recordId: h("new") });
    expect(state?.heads[h("b")]).toEqual({ index: 3, recordId: h("b") });
  });

  it("refuses a damaged file and says how to start over", async () => {
    const dir = await tempDir();
    const store = new TrustStore(dir, new URL("https://r.example/"));
    await store.write({ checkpoint: cp(1), heads: {} });
    const text = await readFile(store.file, "utf8");
    await writeFile(store.file, text.replace(/"logLength": 1/, '"logLength": -1'));
    await expect(store.read()).rejects.toMatchObject({ code: "CACHE", hint: expect.stringContaining(store.file) });
  });
});
