import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Digest, type WkgEvent, PackageRef, type PackageSource, Version, VersionReq, WkgError } from "@wasm-pkg/common";
import { type LockFile, emptyLock, lockFromEntries } from "@wasm-pkg/lockfile";
import { Resolve, encodeWitPackage } from "@wasm-pkg/wit";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { adoptUpstreamEntries } from "../src/adopt.js";
import { readLocalPackage, readUserDeps } from "../src/local.js";

afterAll(cleanupTempDirs);

const LIB = "package acme:lib@1.0.0;\n\ninterface api {\n  /// The version.\n  version: func() -> u32;\n}\n";
const encode = (text: string) => {
  const resolve = new Resolve();
  return encodeWitPackage(resolve, resolve.pushText("lib.wit", text));
};
const PINNED = encode(LIB);

/** A source holding one content blob; `fail` makes reads throw as the named error. */
function source(bytes: Uint8Array, fail?: WkgError): PackageSource & { reads: number } {
  const s = {
    reads: 0,
    registryFor: () => "mem.example",
    listAllVersions: async () => [],
    getRelease: async () => {
      throw new Error("not used");
    },
    async streamContent() {
      s.reads++;
      if (fail) throw fail;
      return new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes);
          c.close();
        },
      });
    },
  };
  return s;
}

const lockFor = (bytes: Uint8Array): LockFile =>
  lockFromEntries([
    {
      name: PackageRef.parse("acme:lib"),
      registry: "mem.example",
      requirement: VersionReq.parse("=1.0.0"),
      version: Version.parse("1.0.0"),
      digest: Digest.of(bytes),
    },
  ]);

async function project(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = await tempDir();
  const all = { "wit/world.wit": "package my:app;\n\nworld w {\n  import acme:lib/api@1.0.0;\n}\n", ...files };
  for (const [path, content] of Object.entries(all)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return join(root, "wit");
}

async function adopt(
  witDir: string,
  src: PackageSource,
  lock = lockFor(PINNED),
  locals = [] as Awaited<ReturnType<typeof readLocalPackage>>[],
) {
  const events: WkgEvent[] = [];
  const unmarked = await readUserDeps(join(witDir, "deps"), new Set());
  const adopted = await adoptUpstreamEntries({ witDir, unmarked, lock, source: src, locals, logger: (e) => events.push(e) });
  const warnings = events.flatMap((e) => (e.type === "warn" ? [e.message] : []));
  return { adopted: [...adopted].sort(), warnings };
}

describe("adoptUpstreamEntries", () => {
  it("adopts a pinned entry printed in another layout: the same package once parsed and printed", async () => {
    const other = LIB.replace(/\n {2}/g, "\n    ").replace("interface api {", "\n\ninterface api\n{");
    const wit = await project({ "wit/deps/acme-lib-1.0.0/package.wit": other });
    expect(await adopt(wit, source(PINNED))).toEqual({ adopted: ["acme-lib-1.0.0"], warnings: [] });
  });

  it("keeps a pinned entry whose package differs, or that holds more than package.wit, and says so", async () => {
    const edited = await project({ "wit/deps/acme-lib-1.0.0/package.wit": LIB.replace("u32", "u64") });
    const result = await adopt(edited, source(PINNED));
    expect(result.adopted).toEqual([]);
    expect(result.warnings[0]).toContain("acme-lib-1.0.0 holds acme:lib@1.0.0, which wkg.lock pins, but not the pinned content");
    const extra = await project({ "wit/deps/acme-lib-1.0.0/package.wit": LIB, "wit/deps/acme-lib-1.0.0/NOTES.md": "mine" });
    expect((await adopt(extra, source(PINNED))).adopted).toEqual([]);
  });

  it("adopts only under upstream's entry names, and only what the lock pins", async () => {
    const renamed = await project({ "wit/deps/lib/package.wit": LIB });
    const src = source(PINNED);
    expect(await adopt(renamed, src)).toEqual({ adopted: [], warnings: [] });
    const unpinned = await project({ "wit/deps/acme-lib-1.0.0/package.wit": LIB });
    expect(await adopt(unpinned, src, emptyLock())).toEqual({ adopted: [], warnings: [] });
    expect(src.reads).toBe(0);
  });

  it("a .wasm entry: its bytes must be the pinned ones", async () => {
    const same = await project({ "wit/deps/acme-lib-1.0.0.wasm": PINNED });
    expect((await adopt(same, source(PINNED))).adopted).toEqual(["acme-lib-1.0.0.wasm"]);
    const rebuilt = encode(LIB.replace("/// The version.\n", ""));
    const other = await project({ "wit/deps/acme-lib-1.0.0.wasm": rebuilt });
    expect((await adopt(other, source(PINNED))).adopted).toEqual([]);
  });

  it("without the pinned content (offline, not cached) the run stops and says why; a bad digest fails it too", async () => {
    const wit = await project({ "wit/deps/acme-lib-1.0.0/package.wit": LIB });
    const offline = adopt(wit, source(PINNED, new WkgError("OFFLINE", "offline: not in the cache")));
    await expect(offline).rejects.toMatchObject({ code: "OFFLINE" });
    await expect(offline).rejects.toThrow(/acme-lib-1\.0\.0: cannot tell whether it is acme:lib@1\.0\.0 as wkg\.lock pins it/);
    const tampered = source(PINNED, new WkgError("INTEGRITY", "content does not match its digest"));
    await expect(adopt(wit, tampered)).rejects.toMatchObject({ code: "INTEGRITY" });
  });

  it("adopts upstream's copy of an [overrides] package: printed, or its files copied", async () => {
    const thing = (body: string) => `package my:local;\n\ninterface thing {\n${body}}\n`;
    const withOverride = async (local: string, deps: Record<string, string>) => {
      const wit = await project({
        "wit/world.wit": "package my:app;\n\nworld w {\n  import my:local/thing;\n}\n",
        "local/thing.wit": local,
        ...deps,
      });
      return (await adopt(wit, source(PINNED), emptyLock(), [await readLocalPackage(join(dirname(wit), "local"))])).adopted;
    };
    const f = thing("  f: func();\n");
    expect(await withOverride(f, { "wit/deps/my-local/package.wit": thing("    f: func();\n") })).toEqual(["my-local"]);
    expect(await withOverride(f, { "wit/deps/my-local/thing.wit": f })).toEqual(["my-local"]);
    expect(await withOverride(thing("  f: func();\n  g: func();\n"), { "wit/deps/my-local/package.wit": f })).toEqual([]);
  });
});
