import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Digest, type PackageSource, Version, WkgError, isWkgError } from "@wasm-pkg/common";
import { emptyManifest } from "@wasm-pkg/lockfile";
import { Resolve, encodeWitPackage } from "@wasm-pkg/wit";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { fetchProject } from "../src/fetch.js";
import { snapshot } from "./snapshot.js";

afterAll(cleanupTempDirs);

const encode = (text: string) => {
  const resolve = new Resolve();
  return encodeWitPackage(resolve, resolve.pushText("pkg.wit", text));
};
const LIB = (v: string) => `package acme:lib@${v};\n\ninterface api {\n  type t = u32;\n\n  version: func() -> u32;\n}\n`;

/** An in-memory registry of WIT package binaries, `ns:name` -> version -> bytes. */
function memorySource(packages: Record<string, Record<string, Uint8Array>>): PackageSource & { reads: string[] } {
  const reads: string[] = [];
  const find = (pkg: { toString(): string }, version: string) => {
    const bytes = packages[pkg.toString()]?.[version];
    if (!bytes) throw new WkgError("VERSION_NOT_FOUND", `${pkg}@${version} not found`);
    return bytes;
  };
  return {
    reads,
    registryFor: () => "mem.example",
    async listAllVersions(pkg) {
      const versions = packages[pkg.toString()];
      if (!versions) throw new WkgError("PACKAGE_NOT_FOUND", `${pkg} not found`);
      return Object.keys(versions).map((v) => ({ version: Version.parse(v), yanked: false }));
    },
    async getRelease(pkg, version) {
      return { version, contentDigest: Digest.of(find(pkg, version.text)) };
    },
    async streamContent(pkg, release) {
      reads.push(`${pkg}@${release.version}`);
      const bytes = find(pkg, release.version.text);
      return new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes);
          c.close();
        },
      });
    },
  };
}

const registry = () => memorySource({ "acme:lib": { "1.0.0": encode(LIB("1.0.0")) } });
const WORLD = "package my:app;\n\nworld w {\n  import acme:lib/api@1.0.0;\n}\n";

async function tree(files: Record<string, string | Uint8Array>, root?: string): Promise<string> {
  const dir = root ?? (await tempDir());
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

function fetch(root: string, source: PackageSource, more: Partial<Parameters<typeof fetchProject>[0]> = {}) {
  return fetchProject({
    witDirs: [join(root, "wit")],
    lockPath: join(root, "wkg.lock"),
    manifest: emptyManifest(),
    manifestDir: root,
    source,
    ...more,
  });
}

async function clash(promise: Promise<unknown>): Promise<WkgError> {
  const error = await promise.then(
    () => new Error("fetch succeeded"),
    (e: unknown) => e,
  );
  if (!isWkgError(error, "DEPS_CONFLICT")) throw error;
  return error;
}

describe("fetch never replaces an entry of wit/deps it did not write", () => {
  it("stops, naming the entry, when the user's entry under the name it needs holds another package; writes nothing", async () => {
    const root = await tree({ "wit/world.wit": WORLD, "wit/deps/acme-lib-1.0.0/mine.wit": "package mine:other@1.0.0;\n" });
    const before = await snapshot(root);
    const error = await clash(fetch(root, registry()));
    const entry = relative(process.cwd(), join(root, "wit", "deps", "acme-lib-1.0.0"));
    expect(error.message).toBe(
      `${entry} is in the way: wkg would write acme:lib@1.0.0 there, but wkg did not write this entry (it holds mine:other@1.0.0)`,
    );
    expect(error.hint).toContain(`rename or remove ${entry}`);
    expect(error.hint).toContain("[overrides]");
    expect(await snapshot(root)).toEqual(before);
  });

  it("uses the user's entry when it is the package wanted, edited: not downloaded, not locked, left as it is", async () => {
    const edited = `${LIB("1.0.0").replace("u32", "u64")}// mine\n`;
    const root = await tree({ "wit/world.wit": WORLD, "wit/deps/acme-lib-1.0.0/lib.wit": edited });
    const source = registry();
    const result = await fetch(root, source);
    expect(source.reads).toEqual([]);
    expect(result.projects[0]?.deps.kept).toEqual(["acme-lib-1.0.0"]);
    expect(result.lock.packages).toEqual([]);
    expect(await readFile(join(root, "wit", "deps", "acme-lib-1.0.0", "lib.wit"), "utf8")).toBe(edited);
  });

  it("--type wasm: stops when the user's .wasm file under the name it needs holds another package", async () => {
    const root = await tree({
      "wit/world.wit": WORLD,
      "wit/deps/acme-lib-1.0.0.wasm": encode("package mine:other@1.0.0;\n\ninterface x {}\n"),
    });
    const before = await snapshot(root);
    const error = await clash(fetch(root, registry(), { output: "wasm" }));
    expect(error.message).toContain("acme-lib-1.0.0.wasm is in the way: wkg would write acme:lib@1.0.0 there");
    expect(error.message).toContain("(it holds mine:other@1.0.0)");
    expect(await snapshot(root)).toEqual(before);
  });

  it("a transitive package's name counts too, and a non-package file in the way is refused as well", async () => {
    const app = `package acme:app@1.0.0;\n\ninterface run {\n  use acme:lib/api@1.0.0.{t};\n}\n`;
    const resolve = new Resolve();
    resolve.pushText("lib.wit", LIB("1.0.0"));
    const source = memorySource({ "acme:app": { "1.0.0": encodeWitPackage(resolve, resolve.pushText("app.wit", app)) } });
    const root = await tree({
      "wit/world.wit": "package my:app;\n\nworld w {\n  import acme:app/run@1.0.0;\n}\n",
      "wit/deps/acme-lib-1.0.0": "notes, not a package",
    });
    const before = await snapshot(root);
    const error = await clash(fetch(root, source));
    expect(error.message).toContain("acme-lib-1.0.0 is in the way: wkg would write acme:lib@1.0.0 there, but wkg did not write this entry");
    expect(await snapshot(root)).toEqual(before);
  });

  it("update, after a fetch: the pinned lock stays byte for byte when a user's entry is in the way", async () => {
    const root = await tree({ "wit/world.wit": WORLD });
    await fetch(root, registry());
    const lock = await readFile(join(root, "wkg.lock"), "utf8");
    // The user takes a name wkg will need once the world imports another package.
    await tree(
      {
        "wit/world.wit": "package my:app;\n\nworld w {\n  import acme:lib/api@1.0.0;\n  import acme:io/x@2.0.0;\n}\n",
        "wit/deps/acme-io-2.0.0/x.wit": "package mine:io@2.0.0;\n\ninterface x {}\n",
      },
      root,
    );
    const before = await snapshot(root);
    const source = memorySource({
      "acme:lib": { "1.0.0": encode(LIB("1.0.0")) },
      "acme:io": { "2.0.0": encode("package acme:io@2.0.0;\n\ninterface x {}\n") },
    });
    await clash(fetch(root, source, { update: "all" }));
    expect(await snapshot(root)).toEqual(before);
    expect(await readFile(join(root, "wkg.lock"), "utf8")).toBe(lock);
  });

  it("a workspace: one member's clash stops the run before any member's deps or the shared lock are written", async () => {
    const root = await tree({
      "a/wit/world.wit": "package ws:a;\n\nworld w {\n  import acme:lib/api@1.0.0;\n}\n",
      "b/wit/world.wit": "package ws:b;\n\nworld w {\n  import acme:lib/api@1.0.0;\n}\n",
      "b/wit/deps/acme-lib-1.0.0/package.wit": "package mine:other@1.0.0;\n",
    });
    const before = await snapshot(root);
    const error = await clash(fetch(root, registry(), { witDirs: [join(root, "a", "wit"), join(root, "b", "wit")], workspace: true }));
    expect(error.message).toContain(join("b", "wit", "deps", "acme-lib-1.0.0"));
    expect(await snapshot(root)).toEqual(before);
    expect(await readdir(join(root, "a", "wit"))).toEqual(["world.wit"]);
  });
});
