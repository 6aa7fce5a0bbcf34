import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTempDirs } from "@wasm-pkg/test-utils";
import { decodeWasm, encodeWitPackage, resolveWitDir, addMetadata } from "@wasm-pkg/wit";
import { parseLock } from "@wasm-pkg/lockfile";
import { EXAMPLES, encodeText, filesUnder, localRegistryHome, readText, tree } from "./project.js";

afterAll(cleanupTempDirs);

const lockNames = async (path: string) =>
  parseLock(await readText(path)).packages.map((p) => `${p.name}@${p.versions.map((v) => v.version).join(",")}`);

describe("wkg fetch (upstream's scenarios, against a local registry)", () => {
  it("dog-fetcher: one import of wasi:http locks one package and lays out its dependencies", async () => {
    const h = await localRegistryHome();
    const project = await tree({ "wit/world.wit": "package dog:fetcher;\n\nworld app {\n  import wasi:http/outgoing-handler@0.2.0;\n}\n" });
    const result = await h.run(["fetch"], project);
    expect(result.stderr).toContain("Added wit/deps/wasi-http-0.2.0");
    expect(result.code).toBe(0);
    expect(await lockNames(join(project, "wkg.lock"))).toEqual(["wasi:http@0.2.0"]);
    expect(await filesUnder(join(project, "wit", "deps"))).toEqual([
      ".wkg-managed",
      "wasi-cli-0.2.0/package.wit",
      "wasi-clocks-0.2.0/package.wit",
      "wasi-http-0.2.0/package.wit",
      "wasi-io-0.2.0/package.wit",
    ]);
    // The written tree resolves on its own, as wasm-tools would read it.
    const { resolve, package: pkg } = await resolveWitDir(join(project, "wit"));
    expect(resolve.pkg(pkg).name.name).toBe("fetcher");
  });

  it("cli-example: two registry imports lock two packages; the deps are wasm-tools' printed text", async () => {
    const h = await localRegistryHome();
    const project = await tree({ "wit/world.wit": await readText(join(EXAMPLES, "hello", "wit", "world.wit")) });
    expect((await h.run(["fetch"], project)).code).toBe(0);
    expect(await lockNames(join(project, "wkg.lock"))).toEqual(["wasi:cli@0.2.0", "wasi:http@0.2.0"]);
    const expected = join(EXAMPLES, "..", "packages", "wit", "test", "fixtures", "wasm", "binary_wit.expected");
    expect(await readText(join(project, "wit", "deps", "wasi-http-0.2.0", "package.wit"))).toBe(
      await readText(join(expected, "package.wit")),
    );
  });

  it("nested-local: an override's own imports are resolved and locked", async () => {
    const h = await localRegistryHome();
    const project = await tree({
      "wit/world.wit": "package my:app;\n\nworld app {\n  import my:local/thing;\n}\n",
      "wkg.toml": '[overrides]\n"my:local" = { path = "local-dep/wit" }\n',
      "local-dep/wit/thing.wit":
        "package my:local;\n\ninterface thing {\n  use wasi:io/streams@0.2.0.{input-stream};\n  read: func() -> input-stream;\n}\n",
    });
    expect((await h.run(["fetch"], project)).code).toBe(0);
    expect(await lockNames(join(project, "wkg.lock"))).toEqual(["wasi:io@0.2.0"]);
    expect(await filesUnder(join(project, "wit", "deps"))).toEqual([".wkg-managed", "my-local/package.wit", "wasi-io-0.2.0/package.wit"]);
  });

  it("transitive-local: a chain of local overrides needs no registry and locks nothing", async () => {
    const h = await localRegistryHome();
    const project = await tree({
      "wit/world.wit": "package example-a:foo@0.1.0;\n\nworld w {\n  import example-b:bar/bar@0.1.0;\n}\n",
      "wkg.toml":
        '[overrides]\n"example-b:bar" = { path = "b" }\n"example-c:baz" = { path = "c" }\n"example-c:nested" = { path = "c/nested" }\n',
      "b/bar.wit": "package example-b:bar@0.1.0;\n\ninterface bar {\n  use example-c:baz/baz@0.1.0.{t};\n}\n",
      "c/baz.wit": "package example-c:baz@0.1.0;\n\ninterface baz {\n  use example-c:nested/n@0.1.0.{t};\n}\n",
      "c/nested/n.wit": "package example-c:nested@0.1.0;\n\ninterface n {\n  type t = u32;\n}\n",
    });
    const result = await h.run(["fetch"], project);
    expect(result.code).toBe(0);
    expect(await filesUnder(join(project, "wit", "deps"))).toEqual([
      ".wkg-managed",
      "example-b-bar-0.1.0/package.wit",
      "example-c-baz-0.1.0/package.wit",
      "example-c-nested-0.1.0/package.wit",
    ]);
    expect(parseLock(await readText(join(project, "wkg.lock"))).packages).toEqual([]);
  });

  it("keeps the packages a user maintains in deps/ and uses them instead of the registry", async () => {
    const h = await localRegistryHome();
    const project = await tree({
      "wit/world.wit": "package my:app;\n\nworld app {\n  import mine:tools/t;\n  import wasi:io/poll@0.2.0;\n}\n",
      "wit/deps/my-tools/tools.wit": "package mine:tools;\n\ninterface t {\n  f: func();\n}\n",
    });
    const result = await h.run(["fetch"], project);
    expect(result.code).toBe(0);
    expect(await filesUnder(join(project, "wit", "deps"))).toEqual([".wkg-managed", "my-tools/tools.wit", "wasi-io-0.2.0/package.wit"]);
    // A second fetch with the import gone removes only what wkg wrote.
    await writeFile(join(project, "wit", "world.wit"), "package my:app;\n\nworld app {\n  import mine:tools/t;\n}\n");
    expect((await h.run(["fetch"], project)).stderr).toContain("Removed wit/deps/wasi-io-0.2.0");
    expect(await filesUnder(join(project, "wit", "deps"))).toEqual([".wkg-managed", "my-tools/tools.wit"]);
    expect(parseLock(await readText(join(project, "wkg.lock"))).packages).toEqual([]);
  });

  it("--type wasm writes the raw binaries of direct dependencies", async () => {
    const h = await localRegistryHome();
    const project = await tree({ "wit/world.wit": "package dog:fetcher;\n\nworld app {\n  import wasi:http/outgoing-handler@0.2.0;\n}\n" });
    expect((await h.run(["fetch", "--type", "wasm"], project)).code).toBe(0);
    expect(await filesUnder(join(project, "wit", "deps"))).toEqual([".wkg-managed", "wasi-http-0.2.0.wasm"]);
    expect(
      Buffer.compare(
        await readFile(join(project, "wit", "deps", "wasi-http-0.2.0.wasm")),
        await readFile(join(EXAMPLES, "registry", "wasi", "http", "0.2.0.wasm")),
      ),
    ).toBe(0);
  });

  it("takes the directory as [DIR], as -d/--wit-dir, and through the deprecated `wkg wit fetch`", async () => {
    const h = await localRegistryHome();
    const project = await tree({ "api/world.wit": "package a:b;\n\nworld w {\n  import wasi:io/poll@0.2.0;\n}\n" });
    expect((await h.run(["fetch", "api"], project)).code).toBe(0);
    expect((await h.run(["fetch", "-d", "api"], project)).code).toBe(0);
    const old = await h.run(["wit", "fetch", "--wit-dir", "api"], project);
    expect(old.code).toBe(0);
    expect(old.stderr).toContain("warning: `wkg wit fetch` is deprecated");
    expect(old.stderr).toContain("help: use `wkg fetch` instead");
    const missing = await h.run(["fetch"], project);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("unable to read wit directory: wit");
  });

  it("reports WIT errors with file and line, and unknown packages with who needs them", async () => {
    const h = await localRegistryHome();
    const bad = await tree({ "wit/world.wit": "package a:b;\n\nworld w {\n  import wasi:io/nope@0.2.0;\n}\n" });
    const result = await h.run(["fetch"], bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/interface `nope` not found in package|nope/);
    expect(await filesUnder(bad)).toEqual(["wit/world.wit"]);
    const unknown = await tree({ "wit/world.wit": "package a:b;\n\nworld w {\n  import wasi:nope/x;\n}\n" });
    const missing = await h.run(["fetch"], unknown);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("package wasi:nope (required by a:b) was not found");
  });
});

describe("wkg.lock pins, update and --locked", () => {
  // WIT matches versioned imports exactly (as wasm-tools does), so a requirement that can move
  // is an unversioned import of a package published under several registry versions.
  const lib = (signature = "func() -> string") => encodeText(`package acme:lib;\n\ninterface api {\n  version: ${signature};\n}\n`);
  async function registryWith(versions: string[]) {
    const h = await localRegistryHome();
    for (const v of versions) await tree({ [`acme/lib/${v}.wasm`]: lib() }, h.registry);
    return h;
  }
  const world = (req: string) => `package my:app;\n\nworld w {\n  import acme:lib/api${req};\n}\n`;

  it("keeps the pinned version until updated, and update stays within the requirement", async () => {
    const h = await registryWith(["1.0.0"]);
    const project = await tree({ "wit/world.wit": world(""), "wkg.toml": '[overrides]\n"acme:lib" = { version = "^1.0" }\n' });
    expect((await h.run(["fetch"], project)).code).toBe(0);
    expect(await lockNames(join(project, "wkg.lock"))).toEqual(["acme:lib@1.0.0"]);
    await tree({ "acme/lib/1.1.0.wasm": lib("func() -> u32"), "acme/lib/2.0.0.wasm": lib("func() -> u64") }, h.registry);
    expect((await h.run(["fetch"], project)).code).toBe(0);
    expect(await lockNames(join(project, "wkg.lock"))).toEqual(["acme:lib@1.0.0"]);
    const updated = await h.run(["update"], project);
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain("Updating acme:lib ^1.0 1.0.0 -> 1.1.0");
    expect(await lockNames(join(project, "wkg.lock"))).toEqual(["acme:lib@1.1.0"]);
    expect(await readText(join(project, "wit", "deps", "acme-lib", "package.wit"))).toContain("version: func() -> u32;");
  });

  it("updates only the named packages", async () => {
    const h = await registryWith(["1.0.0"]);
    const project = await tree({
      "wit/world.wit": "package my:app;\n\nworld w {\n  import acme:lib/api;\n  import wasi:io/poll@0.2.0;\n}\n",
    });
    expect((await h.run(["fetch"], project)).code).toBe(0);
    await tree({ "acme/lib/1.2.0.wasm": lib("func() -> u32") }, h.registry);
    expect((await h.run(["update", "wasi:io"], project)).code).toBe(0);
    expect(await lockNames(join(project, "wkg.lock"))).toEqual(["acme:lib@1.0.0", "wasi:io@0.2.0"]);
    expect((await h.run(["update", "acme:lib"], project)).code).toBe(0);
    expect(await lockNames(join(project, "wkg.lock"))).toEqual(["acme:lib@1.2.0", "wasi:io@0.2.0"]);
  });

  it("--locked fails with the difference and writes nothing", async () => {
    const h = await registryWith(["1.0.0"]);
    const project = await tree({ "wit/world.wit": world("") });
    const locked = await h.run(["fetch", "--locked"], project);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain("wkg.lock needs to change, but --locked forbids it:");
    expect(locked.stderr).toContain("+ acme:lib * -> 1.0.0 (files)");
    expect(await filesUnder(project)).toEqual(["wit/world.wit"]);
    expect((await h.run(["fetch"], project)).code).toBe(0);
    expect((await h.run(["fetch", "--locked"], project)).code).toBe(0);
    expect((await h.run(["fetch", "--locked", "--json"], project)).stdout).toContain('"written": false');
  });

  it("refuses content that differs from what the lock pins, whenever it has to be downloaded", async () => {
    const h = await registryWith(["1.0.0"]);
    const project = await tree({ "wit/world.wit": world("") });
    expect((await h.run(["fetch"], project)).code).toBe(0);
    const before = await readText(join(project, "wkg.lock"));
    await tree({ "acme/lib/1.0.0.wasm": lib("func() -> u32") }, h.registry);
    // With the pinned bytes in the cache, the lock is honoured as it is...
    expect((await h.run(["fetch"], project)).code).toBe(0);
    // ...and without them, the registry's new bytes are refused.
    await rm(join(h.dir, "cache"), { recursive: true, force: true });
    const result = await h.run(["fetch"], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("does not match its digest");
    expect(await readText(join(project, "wkg.lock"))).toBe(before);
    expect((await h.run(["update"], project)).code).toBe(0);
    expect(await readText(join(project, "wit", "deps", "acme-lib", "package.wit"))).toContain("func() -> u32");
  });

  it("works offline from the lock and the cache, and says what is missing", async () => {
    const h = await registryWith(["1.0.0"]);
    const project = await tree({ "wit/world.wit": world("") });
    const offlineFirst = await h.run(["fetch", "--offline"], project);
    expect(offlineFirst.code).toBe(1);
    expect(offlineFirst.stderr).toContain("--offline");
    expect((await h.run(["fetch"], project)).code).toBe(0);
    const before = await filesUnder(project);
    expect((await h.run(["fetch", "--offline"], project)).code).toBe(0);
    expect(await filesUnder(project)).toEqual(before);
  });
});

describe("workspaces", () => {
  it("fetches for every member from the root, sharing one lock; members resolve each other locally", async () => {
    const h = await localRegistryHome();
    const root = await tree({
      "wkg.toml": '[workspace]\nmembers = ["fetch-*/wit"]\n',
      "fetch-a/wit/a.wit":
        "package fetch:a@0.1.0;\n\ninterface a {\n  use wasi:io/streams@0.2.0.{input-stream};\n  get: func() -> input-stream;\n}\n",
      "fetch-d/wit/d.wit": "package fetch:d@0.1.0;\n\nworld d {\n  import fetch:a/a@0.1.0;\n  import wasi:clocks/wall-clock@0.2.0;\n}\n",
    });
    const result = await h.run(["fetch"], root);
    expect(result.code).toBe(0);
    expect(await lockNames(join(root, "wkg.lock"))).toEqual(["wasi:clocks@0.2.0", "wasi:io@0.2.0"]);
    expect(await filesUnder(join(root, "fetch-d", "wit", "deps"))).toContain("fetch-a-0.1.0/package.wit");
    const fromMember = await h.run(["fetch", "--workspace"], join(root, "fetch-a", "wit"));
    expect(fromMember.code).toBe(0);
    expect(fromMember.stderr).toContain("dependencies are up to date");
  });

  it("builds every member from the root, members resolving each other, into one lock", async () => {
    const h = await localRegistryHome();
    const root = await tree({
      "wkg.toml": '[workspace]\nmembers = ["pkg-*/wit"]\n',
      "pkg-a/wit/a.wit":
        "package ws:a@0.1.0;\n\ninterface a {\n  use wasi:io/streams@0.2.0.{input-stream};\n  get: func() -> input-stream;\n}\n",
      "pkg-b/wit/b.wit": "package ws:b@0.2.0;\n\nworld b {\n  import ws:a/a@0.1.0;\n  import wasi:clocks/wall-clock@0.2.0;\n}\n",
      "pkg-c/wit/c.wit": "package ws:c@0.1.0;\n\nworld c {\n  import wasi:cli/stdout@0.2.0;\n}\n",
    });
    const result = await h.run(["build", "--json"], root);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).outputs.map((o: { package: string }) => o.package)).toEqual(["ws:a", "ws:b", "ws:c"]);
    expect(await lockNames(join(root, "wkg.lock"))).toEqual(["wasi:cli@0.2.0", "wasi:clocks@0.2.0", "wasi:io@0.2.0"]);
    const b = decodeWasm(new Uint8Array(await readFile(join(root, "ws:b@0.2.0.wasm"))));
    expect(b.resolve.knownPackageNames()).toContain("ws:a@0.1.0");
  });

  it("a member with its own wkg.toml, fetched from a subdirectory, uses its own lock", async () => {
    const h = await localRegistryHome();
    const root = await tree({
      "wkg.toml": '[workspace]\nmembers = ["member/wit"]\n',
      "member/wit/wkg.toml": "",
      "member/wit/subdir/x.wit": "package sub:dir;\n\nworld w {\n  import wasi:io/poll@0.2.0;\n}\n",
    });
    const result = await h.run(["fetch", "."], join(root, "member", "wit", "subdir"));
    expect(result.code).toBe(0);
    expect(await filesUnder(root)).toContain("member/wit/wkg.lock");
    expect(await filesUnder(root)).not.toContain("wkg.lock");
  });
});

describe("wkg build", () => {
  it("builds the package with its dependencies embedded and wkg.toml metadata, equal to the encoder's bytes", async () => {
    const h = await localRegistryHome();
    const project = await tree({
      "wit/world.wit": await readText(join(EXAMPLES, "hello", "wit", "world.wit")),
      "wkg.toml": await readText(join(EXAMPLES, "hello", "wkg.toml")),
    });
    const built = await h.run(["build", "--json"], project);
    expect(built.code).toBe(0);
    const path = join(project, "example:hello@0.1.0.wasm");
    expect(JSON.parse(built.stdout).outputs[0]).toMatchObject({ package: "example:hello", version: "0.1.0", path });
    const bytes = new Uint8Array(await readFile(path));
    const decoded = decodeWasm(bytes);
    expect(decoded.kind).toBe("wit-package");
    expect(await lockNames(join(project, "wkg.lock"))).toEqual(["wasi:cli@0.2.0", "wasi:http@0.2.0"]);

    // The same package, resolved from the fetched tree and encoded directly.
    expect((await h.run(["fetch"], project)).code).toBe(0);
    const { resolve, package: pkg } = await resolveWitDir(join(project, "wit"), { allFeatures: true });
    const direct = addMetadata(encodeWitPackage(resolve, pkg, { producers: null }), {
      name: "example:hello",
      processedBy: [["wkg", JSON.parse(await readText(join(EXAMPLES, "..", "apps", "wkg", "package.json"))).version]],
      authors: "The wkg for TypeScript authors",
      description: "An example WIT package that depends on wasi:http and wasi:cli",
      licenses: "Apache-2.0 WITH LLVM-exception",
      source: "https://github.com/example/hello",
      version: "0.1.0",
    });
    expect(Buffer.compare(bytes, direct)).toBe(0);
  });

  it("writes -o, and fails cleanly on a bad dependency", async () => {
    const h = await localRegistryHome();
    const project = await tree({ "wit/world.wit": "package my:pkg@1.0.0;\n\nworld w {\n  import totally:not/real@0.2.0;\n}\n" });
    const result = await h.run(["build", "-o", "out.wasm"], project);
    expect(result.code).toBe(1);
    expect(await filesUnder(project)).toEqual(["wit/world.wit"]);
    await writeFile(join(project, "wit", "world.wit"), "package my:pkg@1.0.0;\n\nworld w {\n  import wasi:io/poll@0.2.0;\n}\n");
    expect((await h.run(["build", "-o", "out.wasm"], project)).code).toBe(0);
    expect(decodeWasm(new Uint8Array(await readFile(join(project, "out.wasm")))).kind).toBe("wit-package");
  });
});
