import { createHash } from "node:crypto";
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestRegistry, type TestServer, cleanupTempDirs, startRegistry, startServer, tempDir } from "@wasm-pkg/test-utils";
import { parseLock } from "@wasm-pkg/lockfile";
import { EXAMPLES, type Env, encodeText, filesUnder, home, readText, tree } from "./project.js";

afterAll(cleanupTempDirs);

const FIXTURE = fileURLToPath(new URL("../fixtures/upstream-hello/", import.meta.url));
const MANAGED = [".wkg-managed", "wasi-cli-0.2.0", "wasi-clocks-0.2.0", "wasi-http-0.2.0", "wasi-io-0.2.0"];

/** The user's config upstream's lock was written with: `wasi` → `wasi.dev`, here a local directory. */
async function wasiDev(): Promise<Env & { registry: string }> {
  const h = await home('[namespace_registries]\nwasi = "wasi.dev"\n\n[registry."wasi.dev".local]\nroot = "registry"\n');
  const registry = join(h.dir, "registry");
  await cp(join(EXAMPLES, "registry", "wasi"), join(registry, "wasi"), { recursive: true });
  return { ...h, registry };
}

/** A fresh copy of the project as upstream left it (no marker, upstream's names and lock bytes). */
async function upstreamProject(): Promise<string> {
  const dir = await tempDir();
  await cp(FIXTURE, dir, { recursive: true });
  return dir;
}

const managedList = async (project: string) =>
  (await readText(join(project, "wit", "deps", ".wkg-managed"))).split("\n").filter((l) => l && !l.startsWith("#"));

describe("a project upstream wkg fetched works unchanged", () => {
  it("fetch --locked passes on the first run; the lock keeps its bytes and upstream's entries become wkg's", async () => {
    const h = await wasiDev();
    const project = await upstreamProject();
    const lock = await readText(join(project, "wkg.lock"));
    const notes = await readText(join(project, "wit", "deps", "my-notes", "notes.wit"));

    const locked = await h.run(["fetch", "--locked"], project);
    expect(locked.stderr).not.toContain("Unlocking");
    expect(locked.code).toBe(0);
    expect(locked.stderr).toContain("Adopted wit/deps/wasi-http-0.2.0");
    expect(await readText(join(project, "wkg.lock"))).toBe(lock);
    expect(await managedList(project)).toEqual(MANAGED.slice(1));
    expect(await readText(join(project, "wit", "deps", "my-notes", "notes.wit"))).toBe(notes);
  });

  it("fetch, build, fetch --offline and update keep the lock and the user's entry", async () => {
    const h = await wasiDev();
    const project = await upstreamProject();
    const lock = await readText(join(project, "wkg.lock"));
    const notes = await readText(join(project, "wit", "deps", "my-notes", "notes.wit"));

    const fetched = await h.run(["fetch"], project);
    expect(fetched.code).toBe(0);
    expect(fetched.stderr).not.toContain("Unlocking");
    expect(await readText(join(project, "wkg.lock"))).toBe(lock);
    expect(await filesUnder(join(project, "wit", "deps"))).toEqual([
      ".wkg-managed",
      "my-notes/notes.wit",
      ...MANAGED.slice(1).map((d) => `${d}/package.wit`),
    ]);

    const built = await h.run(["build", "--locked", "--json"], project);
    expect(built.code).toBe(0);
    expect(JSON.parse(built.stdout).outputs[0].lockChanges).toEqual([]);
    expect((await h.run(["fetch", "--offline"], project)).code).toBe(0);
    const updated = await h.run(["update"], project);
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain("dependencies are up to date");
    expect(await readText(join(project, "wkg.lock"))).toBe(lock);
    expect(await readText(join(project, "wit", "deps", "my-notes", "notes.wit"))).toBe(notes);
    expect(await managedList(project)).not.toContain("my-notes");
  });

  it("build on the untouched tree keeps the lock (it does not take upstream's entries for the user's)", async () => {
    const h = await wasiDev();
    const project = await upstreamProject();
    const lock = await readText(join(project, "wkg.lock"));
    const built = await h.run(["build", "--locked"], project);
    expect(built.code).toBe(0);
    expect(await readText(join(project, "wkg.lock"))).toBe(lock);
  });

  it("an entry the user edited is not what the lock pins: it stays theirs, untouched, and the run says so", async () => {
    const h = await wasiDev();
    const project = await upstreamProject();
    const cli = join(project, "wit", "deps", "wasi-cli-0.2.0", "package.wit");
    const edited = (await readText(cli)).replace("interface stdout {", "interface stdout {\n  flush: func();");
    await writeFile(cli, edited);
    const locked = await h.run(["fetch", "--locked"], project);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain("wit/deps/wasi-cli-0.2.0 holds wasi:cli@0.2.0, which wkg.lock pins, but not the pinned content");
    const fetched = await h.run(["fetch"], project);
    expect(fetched.code).toBe(0);
    expect(fetched.stderr).toContain("Unlocking wasi:cli =0.2.0");
    expect(await readText(cli)).toBe(edited);
    expect(await managedList(project)).not.toContain("wasi-cli-0.2.0");
  });

  it("update moves an adopted entry to the new release, and the lock with it", async () => {
    const h = await wasiDev();
    const lib = (v: string) => encodeText(`package acme:lib;\n\ninterface api {\n  version: func() -> ${v};\n}\n`);
    const v1 = lib("u32");
    await tree({ "acme/lib/1.0.0.wasm": v1 }, h.registry);
    const config = '[namespace_registries]\nwasi = "wasi.dev"\nacme = "wasi.dev"\n\n[registry."wasi.dev".local]\nroot = "registry"\n';
    await writeFile(join(h.dir, "config.toml"), config);
    const digest = createHash("sha256").update(v1).digest("hex");
    // As upstream leaves it: its lock bytes, the printed package under upstream's name, no marker.
    const project = await tree({
      "wit/world.wit": "package my:app;\n\nworld w {\n  import acme:lib/api;\n}\n",
      "wit/deps/acme-lib/package.wit": "package acme:lib;\n\ninterface api {\n  version: func() -> u32;\n}\n",
      "wkg.lock": `# This file is automatically generated.\n# It is not intended for manual editing.\nversion = 1\n\n[[packages]]\nname = "acme:lib"\nregistry = "wasi.dev"\n\n[[packages.versions]]\nrequirement = "*"\nversion = "1.0.0"\ndigest = "sha256:${digest}"\n`,
    });
    await tree({ "acme/lib/1.1.0.wasm": lib("u64") }, h.registry);
    expect((await h.run(["fetch", "--locked"], project)).code).toBe(0);
    const updated = await h.run(["update"], project);
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain("Updating acme:lib * 1.0.0 -> 1.1.0");
    expect(parseLock(await readText(join(project, "wkg.lock"))).packages[0]?.versions[0]?.version.toString()).toBe("1.1.0");
    expect(await readText(join(project, "wit", "deps", "acme-lib", "package.wit"))).toContain("version: func() -> u64;");
  });

  it("a `--type wasm` tree: the binary is adopted when its bytes are the pinned ones", async () => {
    const h = await wasiDev();
    const lock = await readText(join(FIXTURE, "wkg.lock"));
    const project = await tree({
      "wit/world.wit": "package my:app;\n\nworld w {\n  import wasi:http/outgoing-handler@0.2.0;\n}\n",
      "wit/deps/wasi-http-0.2.0.wasm": await readFile(join(EXAMPLES, "registry", "wasi", "http", "0.2.0.wasm")),
      // Upstream's lock with only the wasi:http entry.
      "wkg.lock": `${lock.slice(0, lock.indexOf("[[packages]]"))}${lock.slice(lock.indexOf('[[packages]]\nname = "wasi:http"'))}`,
    });
    const result = await h.run(["fetch", "--type", "wasm", "--locked"], project);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Adopted wit/deps/wasi-http-0.2.0.wasm");
    expect(await managedList(project)).toEqual(["wasi-http-0.2.0.wasm"]);
  });
});

describe("a workspace upstream wkg fetched (deps under <root>/wkg/deps)", () => {
  it("fetch --locked and build --locked keep the root lock; upstream's wkg/deps is left as it is", async () => {
    const h = await wasiDev();
    const sha = async (path: string) =>
      createHash("sha256")
        .update(await readFile(path))
        .digest("hex");
    const io = await sha(join(EXAMPLES, "registry", "wasi", "io", "0.2.0.wasm"));
    const clocks = await sha(join(EXAMPLES, "registry", "wasi", "clocks", "0.2.0.wasm"));
    const lock = `# This file is automatically generated.\n# It is not intended for manual editing.\nversion = 1\n\n[[packages]]\nname = "wasi:clocks"\nregistry = "wasi.dev"\n\n[[packages.versions]]\nrequirement = "=0.2.0"\nversion = "0.2.0"\ndigest = "sha256:${clocks}"\n\n[[packages]]\nname = "wasi:io"\nregistry = "wasi.dev"\n\n[[packages.versions]]\nrequirement = "=0.2.0"\nversion = "0.2.0"\ndigest = "sha256:${io}"\n`;
    const root = await tree({
      "wkg.toml": '[workspace]\nmembers = ["fetch-*/wit"]\n',
      "wkg.lock": lock,
      "fetch-a/wit/a.wit":
        "package fetch:a@0.1.0;\n\ninterface a {\n  use wasi:io/streams@0.2.0.{input-stream};\n  get: func() -> input-stream;\n}\n",
      "fetch-d/wit/d.wit": "package fetch:d@0.1.0;\n\nworld d {\n  import fetch:a/a@0.1.0;\n  import wasi:clocks/wall-clock@0.2.0;\n}\n",
    });
    for (const dep of ["wasi-io-0.2.0", "wasi-clocks-0.2.0"]) {
      await cp(join(FIXTURE, "wit", "deps", dep), join(root, "wkg", "deps", dep), { recursive: true });
    }
    const upstreamDeps = await filesUnder(join(root, "wkg"));

    const fetched = await h.run(["fetch", "--locked"], root);
    expect(fetched.code).toBe(0);
    expect(await readText(join(root, "wkg.lock"))).toBe(lock);
    expect(await filesUnder(join(root, "fetch-d", "wit", "deps"))).toContain("fetch-a-0.1.0/package.wit");
    expect((await h.run(["build", "--locked"], root)).code).toBe(0);
    expect((await h.run(["fetch", "--offline"], root)).code).toBe(0);
    expect(await readText(join(root, "wkg.lock"))).toBe(lock);
    expect(await filesUnder(join(root, "wkg"))).toEqual(upstreamDeps);
  });
});

describe("a member naming its root with upstream's `[workspace] root`", () => {
  const members = {
    "wkg.toml": '[workspace]\nmembers = ["pkg-a/wit", "pkg-b/wit"]\n',
    "pkg-a/wit/a.wit":
      "package ws:a@0.1.0;\n\ninterface a {\n  use wasi:io/streams@0.2.0.{input-stream};\n  get: func() -> input-stream;\n}\n",
    "pkg-b/wit/b.wit": "package ws:b@0.1.0;\n\nworld b {\n  import ws:a/a@0.1.0;\n  import wasi:clocks/wall-clock@0.2.0;\n}\n",
  };
  const lockNames = async (path: string) => parseLock(await readText(path)).packages.map((p) => p.name.toString());

  it("fetch and build from the member join the root's lock, which keeps every member's pins", async () => {
    const h = await wasiDev();
    const root = await tree({ ...members, "pkg-a/wit/wkg.toml": '[workspace]\nroot = "../.."\n' });
    const member = join(root, "pkg-a", "wit");
    const fetched = await h.run(["fetch"], member);
    expect(fetched.code).toBe(0);
    expect(await lockNames(join(root, "wkg.lock"))).toEqual(["wasi:clocks", "wasi:io"]);
    expect(await filesUnder(root)).not.toContain("pkg-a/wit/wkg.lock");
    const lock = await readText(join(root, "wkg.lock"));
    expect((await h.run(["build", "--locked"], member)).code).toBe(0);
    expect((await h.run(["fetch", "--locked"], root)).code).toBe(0);
    expect(await readText(join(root, "wkg.lock"))).toBe(lock);
  });

  it("the root may be named by its wkg.toml; a member the root does not list is an error naming the line", async () => {
    const h = await wasiDev();
    const root = await tree({ ...members, "pkg-b/wit/wkg.toml": '# member\n[workspace]\nroot = "../../wkg.toml"\n' });
    expect((await h.run(["fetch"], join(root, "pkg-b", "wit"))).code).toBe(0);
    expect(await lockNames(join(root, "wkg.lock"))).toEqual(["wasi:clocks", "wasi:io"]);
    await tree({ "wkg.toml": '[workspace]\nmembers = ["pkg-a/wit"]\n' }, root);
    const stray = await h.run(["fetch"], join(root, "pkg-b", "wit"));
    expect(stray.code).toBe(1);
    expect(stray.stderr).toContain("pkg-b/wit/wkg.toml:3: workspace.root names");
    expect(stray.stderr).toContain('add "pkg-b/wit" to [workspace] members');
  });
});

describe("a project upstream wkg fetched from the real OCI registry, on a machine with an empty cache", () => {
  let registry: TestRegistry;
  let metadata: TestServer;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "open" });
    metadata = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ oci: { registry: registry.registry, namespacePrefix: "webassembly/" } }));
    });
    const publisher = await home(`[namespace_registries]\nwasi = "${metadata.authority}"\n`);
    for (const name of ["cli", "http"]) {
      expect((await publisher.run(["publish", join(EXAMPLES, "registry", "wasi", name, "0.2.0.wasm")])).code).toBe(0);
    }
  });
  afterAll(async () => {
    await metadata?.close();
    await registry?.stop();
  });

  it("--offline cannot check upstream's entries without the pinned packages: it stops, changing nothing; online it adopts them", async () => {
    const user = await home(`[namespace_registries]\nwasi = "${metadata.authority}"\n`);
    const project = await upstreamProject();
    // Upstream records the registry the user's config names.
    const lock = (await readText(join(project, "wkg.lock"))).replaceAll('"wasi.dev"', `"${metadata.authority}"`);
    await writeFile(join(project, "wkg.lock"), lock);
    const before = await filesUnder(project);

    const offline = await user.run(["fetch", "--offline"], project);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/wasi-(cli|http)-0\.2\.0: cannot tell whether it is wasi:(cli|http)@0\.2\.0 as wkg\.lock pins it/);
    expect(await filesUnder(project)).toEqual(before);
    expect(await readText(join(project, "wkg.lock"))).toBe(lock);

    expect((await user.run(["fetch", "--locked"], project)).code).toBe(0);
    expect((await user.run(["fetch", "--offline", "--locked"], project)).code).toBe(0);
    expect(await readText(join(project, "wkg.lock"))).toBe(lock);
    expect(await managedList(project)).toEqual(MANAGED.slice(1));
  });
});
