import { describe, expect, it } from "vitest";
import { Digest, PackageRef, type PackageSource, type Release, Version, VersionReq, WkgError } from "@wasm-pkg/common";
import { emptyLock, lockFromEntries } from "@wasm-pkg/lockfile";
import { selectVersions } from "../src/select.js";

/** An in-memory registry: resolution logic only, no protocol involved. */
function memorySource(packages: Record<string, Array<string | { v: string; yanked?: boolean; content?: string }>>) {
  const calls: string[] = [];
  const source: PackageSource = {
    registryFor: () => "mem.example",
    async listAllVersions(pkg) {
      calls.push(`list ${pkg}`);
      const list = packages[pkg.toString()];
      if (!list) throw new WkgError("PACKAGE_NOT_FOUND", "Package not found");
      return list
        .map((e) => (typeof e === "string" ? { v: e } : e))
        .map((e) => ({ version: Version.parse(e.v), yanked: e.yanked ?? false }));
    },
    async getRelease(pkg, version): Promise<Release> {
      calls.push(`release ${pkg}@${version}`);
      const entry = packages[pkg.toString()]?.map((e) => (typeof e === "string" ? { v: e } : e)).find((e) => e.v === version.text);
      if (!entry) throw new WkgError("VERSION_NOT_FOUND", `version not found: ${version}`);
      return { version, contentDigest: Digest.of(entry.content ?? `${pkg}@${version}`) };
    },
    async streamContent() {
      throw new Error("not used");
    },
  };
  return { source, calls };
}

const req = (name: string, r: string) => ({ name: PackageRef.parse(name), requirement: VersionReq.parse(r), requiredBy: "wit/" });
const locked = (name: string, r: string, v: string, content = `${name}@${v}`) => ({
  name: PackageRef.parse(name),
  registry: "mem.example",
  requirement: VersionReq.parse(r),
  version: Version.parse(v),
  digest: Digest.of(content),
});

describe("selectVersions", () => {
  const registry = {
    "wasi:io": ["0.2.0", "0.2.1", { v: "0.2.2", yanked: true }, "0.3.0-rc.1"],
    "wasi:http": ["0.2.0"],
  };

  it("picks the highest non-yanked, non-prerelease match", async () => {
    const { source } = memorySource(registry);
    const got = await selectVersions(source, [req("wasi:io", "*"), req("wasi:io", "=0.2.0"), req("wasi:http", "^0.2")], {
      lock: emptyLock(),
    });
    expect(got.map((s) => `${s.name} ${s.requirement} ${s.version} ${s.origin}`)).toEqual([
      "wasi:io * 0.2.1 picked",
      "wasi:io =0.2.0 0.2.0 picked",
      "wasi:http ^0.2 0.2.0 picked",
    ]);
  });

  it("keeps lock pins without asking the registry at all", async () => {
    const { source, calls } = memorySource(registry);
    const lock = lockFromEntries([locked("wasi:io", "*", "0.2.0")]);
    const got = await selectVersions(source, [req("wasi:io", "*"), req("wasi:io", "*")], { lock });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ origin: "locked" });
    expect(String(got[0]?.version)).toBe("0.2.0");
    expect(String(got[0]?.release.contentDigest)).toBe(String(Digest.of("wasi:io@0.2.0")));
    expect(calls).toEqual([]);
  });

  it("ignores pins of packages being updated", async () => {
    const { source } = memorySource(registry);
    const lock = lockFromEntries([locked("wasi:io", "*", "0.2.0"), locked("wasi:http", "^0.2", "0.2.0")]);
    const got = await selectVersions(source, [req("wasi:io", "*"), req("wasi:http", "^0.2")], { lock, update: new Set(["wasi:io"]) });
    expect(got.map((s) => `${s.version} ${s.origin}`)).toEqual(["0.2.1 picked", "0.2.0 locked"]);
  });

  it("offline: uses pins only, and says what is missing", async () => {
    const { source, calls } = memorySource(registry);
    const lock = lockFromEntries([locked("wasi:io", "*", "0.2.0")]);
    const got = await selectVersions(source, [req("wasi:io", "*")], { lock, offline: true });
    expect(String(got[0]?.version)).toBe("0.2.0");
    expect(calls).toEqual([]);
    await expect(selectVersions(source, [req("wasi:http", "*")], { lock, offline: true })).rejects.toMatchObject({ code: "OFFLINE" });
  });

  it("explains missing packages and unmatched requirements", async () => {
    const { source } = memorySource(registry);
    await expect(selectVersions(source, [req("wasi:nope", "*")], { lock: emptyLock() })).rejects.toThrow(
      "package wasi:nope (required by wit/) was not found in its registry",
    );
    await expect(selectVersions(source, [req("wasi:io", ">=1.0.0")], { lock: emptyLock() })).rejects.toThrow(
      "no release of wasi:io matches >=1.0.0 (required by wit/); available: 0.2.0, 0.2.1, 0.3.0-rc.1",
    );
  });
});
