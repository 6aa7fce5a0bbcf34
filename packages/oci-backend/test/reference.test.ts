import { PackageRef, Version, isWkgError } from "@wasm-pkg/common";
import { describe, expect, it } from "vitest";
import { OciReference, repositoryFor, tagToVersion, versionToTag } from "../src/index.js";

describe("OciReference.parse", () => {
  it.each([
    ["ghcr.io/webassembly/wasi/http:0.2.0", "ghcr.io", "webassembly/wasi/http", "0.2.0", undefined],
    ["localhost:5000/demo/app", "localhost:5000", "demo/app", "latest", undefined],
    ["127.0.0.1:5000/a/b:1.0.0-rc.1", "127.0.0.1:5000", "a/b", "1.0.0-rc.1", undefined],
    ["localhost/x", "localhost", "x", "latest", undefined],
    ["nginx", "docker.io", "library/nginx", "latest", undefined],
    ["user/repo:v1", "docker.io", "user/repo", "v1", undefined],
    ["Example.COM/a", "example.com", "a", "latest", undefined],
  ])("%s", (text, registry, repository, tag, digest) => {
    const ref = OciReference.parse(text);
    expect([ref.registry, ref.repository, ref.tag, ref.digest]).toEqual([registry, repository, tag, digest]);
  });

  it("parses digests, with or without a tag", () => {
    const hex = "a".repeat(64);
    const byDigest = OciReference.parse(`ghcr.io/a/b@sha256:${hex}`);
    expect(byDigest.tag).toBeUndefined();
    expect(byDigest.reference).toBe(`sha256:${hex}`);
    expect(byDigest.toString()).toBe(`ghcr.io/a/b@sha256:${hex}`);
    const both = OciReference.parse(`localhost:5000/a:1.0.0@sha256:${hex}`);
    expect([both.tag, both.reference]).toEqual(["1.0.0", `sha256:${hex}`]);
  });

  it.each([
    ["", "it is empty"],
    ["https://ghcr.io/a/b:1", "it has a URL scheme"],
    ["ghcr.io/Upper/case", 'invalid repository component "Upper"'],
    ["ghcr.io/a//b", 'invalid repository component ""'],
    ["ghcr.io/a/b:1.0.0+build", 'invalid tag "1.0.0+build"'],
    ["ghcr.io/a/b:.hidden", "invalid tag"],
    ["ghcr.io/a/b@sha256:1234", "invalid digest"],
    ["ghcr.io/a/b@md5:abc", "invalid digest"],
  ])("rejects %j", (text, message) => {
    let error: unknown;
    try {
      OciReference.parse(text);
    } catch (e) {
      error = e;
    }
    expect(isWkgError(error, "INVALID_REFERENCE")).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});

describe("package <-> repository and version <-> tag", () => {
  it("concatenates the namespace prefix verbatim, as upstream", () => {
    const pkg = PackageRef.parse("wasi:http");
    expect(repositoryFor(pkg)).toBe("wasi/http");
    expect(repositoryFor(pkg, "webassembly/")).toBe("webassembly/wasi/http");
    expect(repositoryFor(pkg, "webassembly")).toBe("webassemblywasi/http");
  });

  it("maps build metadata to `_` and back, and ignores tags that are not versions", () => {
    expect(versionToTag(Version.parse("1.2.3"))).toBe("1.2.3");
    expect(versionToTag(Version.parse("1.2.3-rc.1+build.7"))).toBe("1.2.3-rc.1_build.7");
    expect(tagToVersion("1.2.3-rc.1_build.7")?.toString()).toBe("1.2.3-rc.1+build.7");
    expect(tagToVersion("0.2.0")?.toString()).toBe("0.2.0");
    for (const tag of ["latest", "v1.0.0", "1.0", "sha256-abc.sig", "1.0.0_a_b", "01.0.0"]) expect(tagToVersion(tag)).toBeUndefined();
  });
});
