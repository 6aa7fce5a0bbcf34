import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { isWkgError } from "@wasm-pkg/common";
import { findWorkspace, loadManifest, parseManifest, resolveMembers, serializeManifest } from "../src/index.js";

afterAll(cleanupTempDirs);

describe("wkg.toml", () => {
  it("reads upstream HEAD's shape and round-trips it", () => {
    const text = `[overrides]
"my:local" = { path = "../local/wit" }
"wasi:http" = { version = "^0.2.1" }

[metadata]
authors = "Ann, Bob"
description = "A thing"
licenses = "Apache-2.0 WITH LLVM-exception"
source = "https://github.com/a/b"
homepage = "https://example.com"
revision = "abc123"
`;
    const manifest = parseManifest(text);
    expect(manifest.overrides["my:local"]).toEqual({ path: "../local/wit" });
    expect(manifest.overrides["wasi:http"]?.version?.toString()).toBe("^0.2.1");
    expect(manifest.metadata).toEqual({
      authors: "Ann, Bob",
      description: "A thing",
      licenses: "Apache-2.0 WITH LLVM-exception",
      source: "https://github.com/a/b",
      homepage: "https://example.com",
      revision: "abc123",
    });
    expect(parseManifest(serializeManifest(manifest))).toEqual(manifest);
  });

  it("reads v0.8.3's shape into the current one and writes the current one", () => {
    const manifest = parseManifest(`[metadata]
authors = ["Ann", "Bob"]
categories = ["wasm"]
description = "old"
license = "MIT"
documentation = "https://docs.example"
homepage = "https://example.com"
repository = "https://github.com/a/b"
`);
    expect(manifest.metadata).toEqual({
      authors: "Ann, Bob",
      description: "old",
      licenses: "MIT",
      homepage: "https://example.com",
      source: "https://github.com/a/b",
    });
    expect(manifest.warnings).toEqual([
      "[metadata] `categories` is no longer used and is ignored",
      "[metadata] `documentation` is no longer used and is ignored",
    ]);
    const written = serializeManifest(manifest);
    expect(written).toContain('licenses = "MIT"');
    expect(written).toContain('source = "https://github.com/a/b"');
    expect(written).not.toContain("repository");
  });

  it("accepts the `author` alias but not a key given twice", () => {
    expect(parseManifest('[metadata]\nauthor = "Ann"').metadata?.authors).toBe("Ann");
    expect(() => parseManifest('[metadata]\nauthor = "Ann"\nauthors = "Bob"', "w.toml")).toThrow(/set twice/);
  });

  it.each([
    ['\n[metadata]\nnope = "x"\n', /w\.toml:3: metadata\.nope: unknown key/],
    ['[overrides]\n"a:b" = { path = "x", extra = 1 }\n', /w\.toml:2: overrides\.a:b\.extra: unknown key/],
    ['[overrides]\n"A:b" = { path = "x" }\n', /overrides\.A:b: invalid package ref/],
    ['[overrides]\n"a:b" = { version = "nope" }\n', /overrides\.a:b\.version: invalid version requirement/],
    ["top = 1\n", /w\.toml:1: top: unknown key/],
    ['[workspace]\nmembers = ["a"]\n[metadata]\nauthors = "x"\n', /cannot coexist/],
    ['[workspace]\nmembers = "a"\n', /workspace\.members: expected an array/],
    ['[workspace]\nmembers = ["a"]\nroot = ".."\n', /w\.toml:3: workspace\.root: a workspace root lists `members`/],
    ['[workspace]\nroot = ".."\n[workspace.metadata]\nauthors = "x"\n', /workspace\.metadata: belongs in the root's wkg\.toml/],
    ["[workspace]\nroot = 1\n", /workspace\.root: expected a string/],
    ["[metadata\n", /w\.toml:1:\d+:/],
  ])("rejects bad input with file, line and key %#", (text, message) => {
    let caught: unknown;
    try {
      parseManifest(text, "w.toml");
    } catch (error) {
      caught = error;
    }
    expect(isWkgError(caught, "INVALID_MANIFEST")).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it("warns about overrides with both or neither of path and version", () => {
    const manifest = parseManifest('[overrides]\n"a:b" = { path = "x", version = "1" }\n"c:d" = {}\n');
    expect(manifest.warnings).toEqual([
      "override for a:b: ignoring `version` because `path` is set",
      "override for c:d has neither `path` nor `version`; ignoring it",
    ]);
  });

  it("reads [workspace] members and metadata", () => {
    const manifest = parseManifest('[workspace]\nmembers = ["pkg-*/wit"]\n[workspace.metadata]\nauthors = "Team"\n');
    expect(manifest.workspace).toEqual({ members: ["pkg-*/wit"], metadata: { authors: "Team" } });
    expect(parseManifest("[workspace]\n").workspace).toBeUndefined();
  });

  it("reads upstream's member form, [workspace] root, next to the member's own tables, and writes it back", () => {
    const text = '[overrides]\n"a:b" = { path = "x" }\n\n[workspace]\nroot = "../.."\n';
    const manifest = parseManifest(text);
    expect(manifest.workspaceRoot).toBe("../..");
    expect(manifest.workspace).toBeUndefined();
    expect(manifest.overrides["a:b"]).toEqual({ path: "x" });
    expect(parseManifest(serializeManifest(manifest))).toEqual(manifest);
  });
});

describe("workspaces on disk", () => {
  async function tree(files: Record<string, string>) {
    const root = await tempDir();
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(root, path, ".."), { recursive: true });
      await writeFile(join(root, path), content);
    }
    return root;
  }

  it("expands globs to directories holding .wit files, keeping literals", async () => {
    const root = await tree({
      "example-a/wit/a.wit": "package a:a;",
      "example-b/wit/b.wit": "package b:b;",
      "example-c/wit/readme.txt": "no wit here",
      "example-d": "a file, not a directory",
      "lit/.keep": "",
    });
    expect(await resolveMembers(root, ["example-*/wit", "lit", "missing-*"])).toEqual([
      join(root, "example-a/wit"),
      join(root, "example-b/wit"),
      join(root, "lit"),
      join(root, "missing-*"),
    ]);
  });

  it("finds the workspace root from the root and from a member, and nothing elsewhere", async () => {
    const root = await tree({
      "wkg.toml": '[workspace]\nmembers = ["pkg-a", "pkg-b/wit"]\n',
      "pkg-a/wkg.toml": "",
      "pkg-a/a.wit": "package a:a;",
      "pkg-b/wit/wkg.toml": "",
      "other/wkg.toml": "",
    });
    expect((await findWorkspace(root))?.root.dir).toBe(root);
    expect((await findWorkspace(join(root, "pkg-a")))?.members).toEqual([join(root, "pkg-a"), join(root, "pkg-b/wit")]);
    expect((await findWorkspace(join(root, "pkg-b/wit")))?.root.dir).toBe(root);
    expect(await findWorkspace(join(root, "other"))).toBeUndefined();
  });

  it("a member's [workspace] root names its root, inside or outside its ancestors", async () => {
    const root = await tree({
      "ws/wkg.toml": '[workspace]\nmembers = ["pkg-a/wit", "../elsewhere/wit"]\n',
      "ws/pkg-a/wit/wkg.toml": '[workspace]\nroot = "../.."\n',
      "elsewhere/wit/wkg.toml": '[workspace]\nroot = "../../ws/wkg.toml"\n',
      "stray/wit/wkg.toml": '[workspace]\nroot = "../../ws"\n',
      "lost/wkg.toml": '[workspace]\nroot = "nowhere"\n',
    });
    const fromMember = await findWorkspace(join(root, "ws/pkg-a/wit"));
    expect(fromMember?.root.dir).toBe(join(root, "ws"));
    expect(fromMember?.declaredBy?.dir).toBe(join(root, "ws/pkg-a/wit"));
    expect((await findWorkspace(join(root, "elsewhere/wit")))?.members).toEqual([join(root, "ws/pkg-a/wit"), join(root, "elsewhere/wit")]);
    await expect(findWorkspace(join(root, "stray/wit"))).rejects.toThrow(
      /stray\/wit\/wkg\.toml:2: workspace\.root names .*ws\/wkg\.toml, whose \[workspace\] members do not include/,
    );
    await expect(findWorkspace(join(root, "lost"))).rejects.toThrow(/lost\/wkg\.toml:2: workspace\.root: there is no .*nowhere\/wkg\.toml/);
  });

  it("loads a missing manifest as the default", async () => {
    const dir = await tempDir();
    expect(await loadManifest(dir)).toEqual({ manifest: { overrides: {}, warnings: [] }, path: undefined, dir });
  });
});
