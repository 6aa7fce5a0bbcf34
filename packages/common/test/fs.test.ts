import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Digest, joinInside, placeFile, safeSegment, verifyDigest, writeFileAtomic } from "../src/index.js";

async function tempDir() {
  return await mkdtemp(join(tmpdir(), "wkg-common-"));
}

describe("writeFileAtomic", () => {
  it("writes bytes, strings and streams", async () => {
    const dir = await tempDir();
    await writeFileAtomic(join(dir, "a"), "text");
    await writeFileAtomic(join(dir, "sub", "b"), new Uint8Array([1, 2]));
    await writeFileAtomic(join(dir, "c"), new Blob(["streamed"]).stream());
    expect(await readFile(join(dir, "a"), "utf8")).toBe("text");
    expect([...(await readFile(join(dir, "sub", "b")))]).toEqual([1, 2]);
    expect(await readFile(join(dir, "c"), "utf8")).toBe("streamed");
  });

  it("leaves the old file and no temp file when the stream fails", async () => {
    const dir = await tempDir();
    const target = join(dir, "out.wasm");
    await writeFile(target, "old");
    const bad = new Blob(["tampered"]).stream().pipeThrough(verifyDigest(Digest.of("original")));
    await expect(writeFileAtomic(target, bad)).rejects.toMatchObject({ code: "INTEGRITY" });
    expect(await readFile(target, "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["out.wasm"]);
  });

  it("writes a long stream of uneven chunks byte for byte, in order", async () => {
    const dir = await tempDir();
    const chunks: Uint8Array[] = [];
    let n = 0;
    for (const size of [1, 0, 65_536, 3, 1_048_576, 700_000, 0, 2_500_000, 17]) {
      const chunk = new Uint8Array(size);
      for (let i = 0; i < size; i++) chunk[i] = (n++ * 7) & 0xff;
      chunks.push(chunk);
    }
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });
    await writeFileAtomic(join(dir, "big"), stream);
    const written = await readFile(join(dir, "big"));
    expect(written.byteLength).toBe(n);
    expect(written.every((b, i) => b === ((i * 7) & 0xff))).toBe(true);
  });

  it("keeps the old file when a long stream breaks off after several writes", async () => {
    const dir = await tempDir();
    const target = join(dir, "out.wasm");
    await writeFile(target, "old");
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 6 * 1024 * 1024) return c.error(new Error("connection reset"));
        sent += 256 * 1024;
        c.enqueue(new Uint8Array(256 * 1024));
      },
    });
    await expect(writeFileAtomic(target, stream)).rejects.toMatchObject({
      code: "IO",
      message: expect.stringContaining("connection reset"),
    });
    expect(await readFile(target, "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["out.wasm"]);
  });

  it("removes the temp files of killed writers before writing, and leaves live writers' and other files alone", async () => {
    const dir = await tempDir();
    const { spawnSync } = await import("node:child_process");
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid as number;
    const names = {
      killed: `.out.wasm.${dead}.0badf00d.tmp`,
      killedOther: `.cache-entry.${dead}.12345678.tmp`,
      live: `.out.wasm.${process.ppid}.0badf00d.tmp`,
      mine: `.other.${process.pid}.deadbeef.tmp`,
      user: ".notes.1.tmp",
    };
    for (const name of Object.values(names)) await writeFile(join(dir, name), "partial");
    await writeFileAtomic(join(dir, "out.wasm"), new Blob(["whole"]).stream());
    expect((await readdir(dir)).sort()).toEqual([names.live, names.user, names.mine, "out.wasm"].sort());
  });

  it("sets the requested mode on new files", async () => {
    if (process.platform === "win32") return;
    const dir = await tempDir();
    await writeFileAtomic(join(dir, "secret.toml"), "x", { mode: 0o600 });
    const { stat } = await import("node:fs/promises");
    expect((await stat(join(dir, "secret.toml"))).mode & 0o777).toBe(0o600);
  });

  it("stops on abort and cleans up", async () => {
    const dir = await tempDir();
    const controller = new AbortController();
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(10));
        controller.abort();
      },
    });
    await expect(writeFileAtomic(join(dir, "x"), stream, { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("safeSegment", () => {
  it.each(["wasi_http@0.2.0.wasm", "1.0.0-rc.1", "a"])("accepts %j", (s) => expect(safeSegment(s)).toBe(s));
  it.each(["", ".", "..", "a/b", "..\\x", "a\u0000b", "NUL", "con.txt", "x".repeat(256)])("rejects %j", (s) => {
    expect(() => safeSegment(s, "file name")).toThrow(/refusing to use .* as a file name/);
  });
});

describe("joinInside", () => {
  it("allows paths inside the root and refuses escapes", () => {
    expect(joinInside("/r", "a", "b")).toBe("/r/a/b");
    expect(joinInside("/r", "..wasm")).toBe("/r/..wasm");
    expect(() => joinInside("/r", "a", "..", "..")).toThrow(/outside/);
    expect(() => joinInside("/r", "..", "etc")).toThrow(/outside/);
    expect(() => joinInside("/r", "/etc/passwd")).toThrow(/outside/);
  });
});

describe("placeFile", () => {
  it("moves a temp file into place and removes the temp name", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "t"), "new");
    expect(await placeFile(join(dir, "t"), join(dir, "out"))).toBe(true);
    expect(await readFile(join(dir, "out"), "utf8")).toBe("new");
    expect(await readdir(dir)).toEqual(["out"]);
  });

  it("keeps an existing target unless asked to overwrite", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "out"), "old");
    await writeFile(join(dir, "t"), "new");
    expect(await placeFile(join(dir, "t"), join(dir, "out"))).toBe(false);
    expect(await readFile(join(dir, "out"), "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["out"]);
    await writeFile(join(dir, "t"), "new");
    expect(await placeFile(join(dir, "t"), join(dir, "out"), { overwrite: true })).toBe(true);
    expect(await readFile(join(dir, "out"), "utf8")).toBe("new");
  });

  it("lets exactly one of several concurrent writers win", async () => {
    const dir = await tempDir();
    const temps = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        await writeFile(join(dir, `t${i}`), `writer ${i}`);
        return join(dir, `t${i}`);
      }),
    );
    const results = await Promise.all(temps.map((t) => placeFile(t, join(dir, "out"))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await readFile(join(dir, "out"), "utf8")).toBe(`writer ${winner}`);
    expect(await readdir(dir)).toEqual(["out"]);
  });
});
