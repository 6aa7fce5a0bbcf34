import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Digest, PackageRef, Version, type WkgEvent } from "@wasm-pkg/common";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { FileCache, registrySegment, releasePath } from "../src/index.js";

afterAll(cleanupTempDirs);

const pkg = PackageRef.parse("wasi:http");
const v1 = Version.parse("0.2.0");
const stream = (text: string) => new Blob([text]).stream();
const read = async (s: ReadableStream<Uint8Array> | undefined) => (s ? await new Response(s).text() : undefined);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name).slice(dir.length + 1));
  }
  return out.sort();
}

describe("FileCache content", () => {
  it("stores content under a versioned, sharded path in its own subdirectory", async () => {
    const root = await tempDir();
    const cache = new FileCache(root);
    const digest = Digest.of("hello");
    await cache.putContent(digest, stream("hello"));
    const hex = digest.hex;
    expect(await filesUnder(root)).toEqual([`wkg-ts/content-v1/sha256/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex}`]);
    expect(await read(await cache.getContent(digest))).toBe("hello");
    expect(await cache.checkContent(digest)).toBe("ok");
  });

  it("never makes content that fails verification visible", async () => {
    const root = await tempDir();
    const cache = new FileCache(root);
    const digest = Digest.of("expected");
    await expect(cache.putContent(digest, stream("something else"))).rejects.toMatchObject({ code: "INTEGRITY" });
    expect(await cache.getContent(digest)).toBeUndefined();
    expect(await filesUnder(root)).toEqual([]);
  });

  it("detects a corrupt entry on read, reports it at the end of the stream and purges it", async () => {
    const events: WkgEvent[] = [];
    const root = await tempDir();
    const cache = new FileCache(root, { logger: (e) => events.push(e) });
    const digest = Digest.of("good bytes");
    await cache.putContent(digest, stream("good bytes"));
    await writeFile(cache.contentPath(digest), "bad bytes!");
    await expect(read(await cache.getContent(digest))).rejects.toMatchObject({
      code: "INTEGRITY",
      message: expect.stringContaining("is corrupt"),
    });
    expect(await cache.getContent(digest)).toBeUndefined();
    expect(events).toContainEqual({ type: "cache", op: "purge", key: digest.toString() });
  });

  it("checks an entry by hashing it, purging a corrupt one", async () => {
    const cache = new FileCache(await tempDir());
    const digest = Digest.of("abc");
    expect(await cache.checkContent(digest)).toBe("missing");
    await cache.putContent(digest, stream("abc"));
    await writeFile(cache.contentPath(digest), "abd");
    expect(await cache.checkContent(digest)).toBe("corrupt");
    expect(await cache.checkContent(digest)).toBe("missing");
  });

  it("copies an entry out, verified, creating the directory; a corrupt entry is purged and leaves the target alone", async () => {
    const cache = new FileCache(await tempDir());
    const out = await tempDir();
    const digest = Digest.of("component bytes");
    expect(await cache.copyContent(digest, join(out, "a.wasm"))).toBe("missing");
    await cache.putContent(digest, stream("component bytes"));
    expect(await cache.copyContent(digest, join(out, "deps", "a.wasm"))).toBe("ok");
    expect(await readFile(join(out, "deps", "a.wasm"), "utf8")).toBe("component bytes");

    await writeFile(join(out, "b.wasm"), "previous");
    await writeFile(cache.contentPath(digest), "component bytez");
    expect(await cache.copyContent(digest, join(out, "b.wasm"))).toBe("corrupt");
    expect(await readFile(join(out, "b.wasm"), "utf8")).toBe("previous");
    expect(await cache.checkContent(digest)).toBe("missing");
    expect((await filesUnder(out)).sort()).toEqual(["b.wasm", "deps/a.wasm"]);
  });

  it("copies without hashing when told the entry was just verified, with the mode asked for", async () => {
    const cache = new FileCache(await tempDir());
    const out = await tempDir();
    const digest = Digest.of("abc");
    await cache.putContent(digest, stream("abc"));
    expect(await cache.copyContent(digest, join(out, "x.wasm"), { verify: false, mode: 0o600 })).toBe("ok");
    expect(await readFile(join(out, "x.wasm"), "utf8")).toBe("abc");
    if (process.platform !== "win32") {
      const { stat } = await import("node:fs/promises");
      expect((await stat(join(out, "x.wasm"))).mode & 0o777).toBe(0o600 & ~process.umask());
    }
  });

  it("names the source of content that does not match when storing it", async () => {
    const cache = new FileCache(await tempDir());
    await expect(cache.putContent(Digest.of("good"), stream("evil"), { source: "a:b@1.0.0 from example.com" })).rejects.toMatchObject({
      code: "INTEGRITY",
      message: expect.stringContaining("a:b@1.0.0 from example.com"),
    });
  });

  it("lets several writers store the same digest at once and keeps one intact entry", async () => {
    const root = await tempDir();
    const body = "x".repeat(256 * 1024);
    const digest = Digest.of(body);
    // Separate instances share no in-process state, as separate processes would not.
    await Promise.all(Array.from({ length: 6 }, () => new FileCache(root).putContent(digest, stream(body))));
    const one = new FileCache(root);
    await Promise.all([one.putContent(digest, stream(body)), one.putContent(digest, stream(body))]);
    expect(await read(await one.getContent(digest))).toBe(body);
    expect(await readdir(dirname(one.contentPath(digest)))).toEqual([digest.hex]);
  });

  it("reports an unwritable cache directory as a cache error with a hint", async () => {
    const root = await tempDir();
    await writeFile(join(root, "wkg-ts"), "a file where a directory should be");
    const error = await new FileCache(root).putContent(Digest.of("a"), stream("a")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CACHE", hint: expect.stringContaining("--cache") });
  });
});

describe("FileCache releases", () => {
  const release = { version: v1, contentDigest: Digest.of("http"), size: 4 };

  it("keys release records by registry, so one registry's answer never serves another", async () => {
    const cache = new FileCache(await tempDir());
    await cache.putRelease("wasi.dev", pkg, release);
    expect(await cache.getRelease("wasi.dev", pkg, v1)).toEqual(release);
    expect(await cache.getRelease("localhost:5000", pkg, v1)).toBeUndefined();
    expect(await cache.listReleases("localhost:5000", pkg)).toEqual([]);
    expect(await cache.listReleases("wasi.dev", pkg)).toEqual([release]);
  });

  it("leaves an identical record alone and replaces a changed one", async () => {
    const cache = new FileCache(await tempDir());
    await cache.putRelease("wasi.dev", pkg, release);
    const path = releasePath(cache.dir, "wasi.dev", pkg, v1);
    const { stat } = await import("node:fs/promises");
    const before = await stat(path);
    await cache.putRelease("wasi.dev", pkg, release);
    expect((await stat(path)).ino).toBe(before.ino);
    const moved = { ...release, contentDigest: Digest.of("moved tag") };
    await cache.putRelease("wasi.dev", pkg, moved);
    expect(await cache.getRelease("wasi.dev", pkg, v1)).toEqual(moved);
  });

  it("drops a record that is unreadable or filed under the wrong key", async () => {
    const root = await tempDir();
    const cache = new FileCache(root);
    await cache.putRelease("a.example", pkg, release);
    const path = join(root, "wkg-ts", "releases-v1", "a.example", "wasi", "http", "0.2.0.json");
    const record = JSON.parse(await readFile(path, "utf8"));
    expect(record).toMatchObject({ registry: "a.example", package: "wasi:http", version: "0.2.0" });

    await mkdir(join(root, "wkg-ts", "releases-v1", "b.example", "wasi", "http"), { recursive: true });
    await writeFile(join(root, "wkg-ts", "releases-v1", "b.example", "wasi", "http", "0.2.0.json"), JSON.stringify(record));
    expect(await cache.getRelease("b.example", pkg, v1)).toBeUndefined();
    await writeFile(path, "{ not json");
    expect(await cache.getRelease("a.example", pkg, v1)).toBeUndefined();
    expect(await filesUnder(root)).toEqual([]);
  });
});

describe("registrySegment", () => {
  it("keeps host names readable and escapes everything else", () => {
    expect(registrySegment("wasi.dev")).toBe("wasi.dev");
    expect(registrySegment("127.0.0.1:5000")).toBe("127.0.0.1_3a5000");
    expect(registrySegment("[::1]:80")).toBe("_5b_3a_3a1_5d_3a80");
    expect(registrySegment("..")).toBe("_..");
    expect(registrySegment("Example.COM")).toBe("example.com");
  });

  it("maps distinct registry names to distinct single segments", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), (a, b) => {
        const sa = registrySegment(a);
        expect(sa).not.toMatch(/[/\\]/);
        if (a.toLowerCase() !== b.toLowerCase()) expect(sa).not.toBe(registrySegment(b));
      }),
    );
  });
});
