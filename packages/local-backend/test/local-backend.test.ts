import { openAsBlob } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type BackendContext, Digest, type Logger, PackageRef, Version, type WkgEvent, noopLogger, streamContent } from "@wasm-pkg/common";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { LocalBackend, localBackend, parseLocalConfig } from "../src/index.js";

afterAll(cleanupTempDirs);

const pkg = PackageRef.parse("example:pkg");
const v = (text: string) => Version.parse(text);
const bytes = (text: string) => new TextEncoder().encode(text);

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

async function backend(logger: Logger = noopLogger) {
  const root = await tempDir();
  return { root, backend: new LocalBackend({ root, logger }) };
}

describe("LocalBackend", () => {
  it("publishes, lists, describes and streams a release in upstream's layout", async () => {
    const { root, backend: b } = await backend();
    const result = await b.publish(pkg, v("1.0.0"), bytes("one"));
    expect(result.contentDigest.toString()).toBe(Digest.of("one").toString());
    expect(result.location).toBe(join(root, "example", "pkg", "1.0.0.wasm"));
    expect(await readFile(join(root, "example", "pkg", "1.0.0.wasm"), "utf8")).toBe("one");

    const versions = await b.listAllVersions(pkg);
    expect(versions.map((x) => `${x.version}:${x.yanked}`)).toEqual(["1.0.0:false"]);
    const release = await b.getRelease(pkg, v("1.0.0"));
    expect(release).toMatchObject({ size: 3 });
    expect(release.contentDigest.equals(Digest.of("one"))).toBe(true);
    expect(await text(await streamContent(b, pkg, release))).toBe("one");
  });

  it("publishes from a file-backed Blob without buffering it", async () => {
    const { backend: b } = await backend();
    const dir = await tempDir();
    await writeFile(join(dir, "in.wasm"), "from a file");
    const result = await b.publish(pkg, v("0.1.0"), await openAsBlob(join(dir, "in.wasm")));
    expect(result.contentDigest.equals(Digest.of("from a file"))).toBe(true);
    expect(await text(await streamContent(b, pkg, await b.getRelease(pkg, v("0.1.0"))))).toBe("from a file");
  });

  it("skips files that are not <semver>.wasm, warning about near misses", async () => {
    const events: WkgEvent[] = [];
    const { root, backend: b } = await backend((e) => events.push(e));
    const dir = join(root, "example", "pkg");
    await mkdir(dir, { recursive: true });
    for (const name of ["1.0.0.wasm", "2.0.0-rc.1.wasm", "..wasm", ".wasm", "v1.wasm", "README.md", ".1.0.1.wasm.1.ab.tmp"]) {
      await writeFile(join(dir, name), "x");
    }
    const versions = (await b.listAllVersions(pkg)).map((x) => x.version.toString()).sort();
    expect(versions).toEqual(["1.0.0", "2.0.0-rc.1"]);
    const warnings = events.filter((e) => e.type === "warn").map((e) => (e as { message: string }).message);
    expect(warnings).toHaveLength(3);
    expect(warnings.join("\n")).toContain("..wasm");
    expect(warnings.join("\n")).toContain("v1.wasm");
  });

  it("reports a missing package and a missing version with distinct codes", async () => {
    const { backend: b } = await backend();
    await expect(b.listAllVersions(pkg)).rejects.toMatchObject({ code: "PACKAGE_NOT_FOUND" });
    await expect(b.getRelease(pkg, v("1.0.0"))).rejects.toMatchObject({ code: "PACKAGE_NOT_FOUND" });
    await b.publish(pkg, v("1.0.0"), bytes("one"));
    await expect(b.getRelease(pkg, v("9.9.9"))).rejects.toMatchObject({
      code: "VERSION_NOT_FOUND",
      message: expect.stringContaining("example:pkg@9.9.9"),
    });
  });

  it("refuses to replace a version with different content, accepts the same content, and replaces when asked", async () => {
    const { root, backend: b } = await backend();
    const path = join(root, "example", "pkg", "1.0.0.wasm");
    await b.publish(pkg, v("1.0.0"), bytes("one"));
    await expect(b.publish(pkg, v("1.0.0"), bytes("two"))).rejects.toMatchObject({ code: "VERSION_EXISTS" });
    expect(await readFile(path, "utf8")).toBe("one");
    await expect(b.publish(pkg, v("1.0.0"), bytes("one"))).resolves.toMatchObject({ location: path });
    await b.publish(pkg, v("1.0.0"), bytes("two"), { overwrite: true });
    expect(await readFile(path, "utf8")).toBe("two");
    expect(await readdir(join(root, "example", "pkg"))).toEqual(["1.0.0.wasm"]);
  });

  it("lets exactly one of several concurrent publishes of one version win", async () => {
    const { root, backend: b } = await backend();
    const results = await Promise.allSettled(["a", "b", "c", "d"].map((c) => b.publish(pkg, v("1.0.0"), bytes(c.repeat(1000)))));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "VERSION_EXISTS" });
    const content = await readFile(join(root, "example", "pkg", "1.0.0.wasm"), "utf8");
    expect(content).toMatch(/^(a+|b+|c+|d+)$/);
    expect(content).toHaveLength(1000);
    expect(await readdir(join(root, "example", "pkg"))).toEqual(["1.0.0.wasm"]);
  });

  it("writes nothing on a dry run, but still reports a conflicting version", async () => {
    const { root, backend: b } = await backend();
    const result = await b.publish(pkg, v("1.0.0"), bytes("one"), { dryRun: true });
    expect(result.contentDigest.equals(Digest.of("one"))).toBe(true);
    expect(await readdir(root)).toEqual([]);
    await b.publish(pkg, v("1.0.0"), bytes("one"));
    await expect(b.publish(pkg, v("1.0.0"), bytes("two"), { dryRun: true })).rejects.toMatchObject({ code: "VERSION_EXISTS" });
  });

  it("hands out content that fails verification when the file changed after getRelease", async () => {
    const { root, backend: b } = await backend();
    await b.publish(pkg, v("1.0.0"), bytes("one"));
    const release = await b.getRelease(pkg, v("1.0.0"));
    await writeFile(join(root, "example", "pkg", "1.0.0.wasm"), "tampered");
    await expect(text(await streamContent(b, pkg, release))).rejects.toMatchObject({ code: "INTEGRITY" });
  });
});

describe("localBackend factory", () => {
  const ctx = (backendConfig: unknown, cwd: string): BackendContext => ({
    registry: "my-files",
    backendConfig,
    protocolMetadata: undefined,
    logger: noopLogger,
    transport: {},
    env: {},
    cwd,
  });

  it("resolves a relative root against the config file's directory", async () => {
    const dir = await tempDir();
    const created = (await localBackend.create(ctx({ root: "registry" }, dir))) as LocalBackend;
    expect(created.protocol).toBe("local");
    expect(created.root).toBe(join(dir, "registry"));
    expect(parseLocalConfig({ root: "/abs/dir" }, dir).root).toBe("/abs/dir");
  });

  it.each([
    [undefined, "requires configuration"],
    ["x", "must be a table"],
    [{}, "root must be a non-empty string"],
    [{ root: 42 }, "root must be a non-empty string"],
  ])("rejects %j with a hint", async (config, message) => {
    const error = await Promise.resolve()
      .then(() => localBackend.create(ctx(config, "/")))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INVALID_CONFIG", message: expect.stringContaining(message), hint: expect.any(String) });
  });
});
