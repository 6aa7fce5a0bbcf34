import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestRegistry, type TestServer, cleanupTempDirs, startRegistry, startServer, tempDir } from "@wasm-pkg/test-utils";
import { Resolve, addMetadata, encodeWitPackage } from "@wasm-pkg/wit";
import { wkg } from "./run.js";

let registry: TestRegistry;
let metadata: TestServer;
beforeAll(async () => {
  registry = await startRegistry({ mode: "open" });
  // A registry name whose .well-known document sends wkg to the real registry, under a prefix.
  metadata = await startServer((req, res) => {
    if (req.url !== "/.well-known/wasm-pkg/registry.json") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ preferredProtocol: "oci", oci: { registry: registry.registry, namespacePrefix: "e2e/" } }));
  });
});
afterAll(async () => {
  await registry?.stop();
  await metadata?.close();
  await cleanupTempDirs();
});

/** A WIT package with one world, so the semver gate has something to compare. */
function witPackage(name: string, exportsBody: string, meta: Parameters<typeof addMetadata>[1] = {}): Uint8Array {
  const resolve = new Resolve();
  const id = resolve.pushText("pkg.wit", `package ${name};\n\ninterface api {\n  ${exportsBody}\n}\n\nworld app {\n  export api;\n}\n`);
  return addMetadata(encodeWitPackage(resolve, id), meta);
}

async function project() {
  const dir = await tempDir();
  const config = join(dir, "config.toml");
  await writeFile(config, `[namespace_registries]\nexample = "${metadata.authority}"\n`);
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, "xdg"), WKG_CONFIG_FILE: config, WKG_CACHE_DIR: join(dir, "cache") };
  const run = (...argv: string[]) => wkg(argv, env, dir);
  return { dir, env, run };
}

async function manifest(repo: string, tag: string) {
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
    headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    annotations?: Record<string, string>;
    config: { digest: string };
    layers: Array<{ annotations?: Record<string, string> }>;
  };
}

describe("wkg publish and get against the real OCI registry, found through registry.json", () => {
  it("publishes a WIT package under its own name with annotations from its metadata, and gets it back", async () => {
    const { dir, run } = await project();
    const bytes = witPackage("example:greet@1.0.0", "hello: func() -> string;", {
      description: "Says hello",
      licenses: "Apache-2.0",
      source: "https://github.com/example/greet",
      homepage: "https://example.com",
      authors: "Ann",
    });
    await writeFile(join(dir, "greet.wasm"), bytes);
    const published = await run("publish", "greet.wasm");
    expect(published.stderr).toContain("Published example:greet@1.0.0");
    expect(published.code).toBe(0);

    const m = await manifest("e2e/example/greet", "1.0.0");
    expect(m.annotations).toMatchObject({
      "org.opencontainers.image.version": "1.0.0",
      "org.opencontainers.image.description": "Says hello",
      "org.opencontainers.image.licenses": "Apache-2.0",
      "org.opencontainers.image.source": "https://github.com/example/greet",
      "org.opencontainers.image.url": "https://example.com/",
      "org.opencontainers.image.authors": "Ann",
    });
    const config = await (await fetch(`${registry.url}/v2/e2e/example/greet/blobs/${m.config.digest}`)).json();
    expect(config).toMatchObject({ architecture: "wasm", os: "wasip2" });
    expect(config.component.exports).toContain("example:greet/api@1.0.0");

    const got = await run("get", "example:greet@1.0.0", "--format", "wasm", "-o", "out.wasm");
    expect(got.code).toBe(0);
    expect(Buffer.compare(await readFile(join(dir, "out.wasm")), bytes)).toBe(0);
    const wit = await run("get", "example:greet", "-o", "greet.wit");
    expect(wit.code).toBe(0);
    expect(await readFile(join(dir, "greet.wit"), "utf8")).toContain("package example:greet@1.0.0;");
  });

  it("picks the highest matching version, pre-releases only when asked", async () => {
    const { dir, run } = await project();
    for (const v of ["0.1.0", "0.2.0", "0.2.1", "0.3.0-rc.1"]) {
      await writeFile(join(dir, `v${v}.wasm`), witPackage(`example:versions@${v}`, `v: func() -> u32;`));
      expect((await run("publish", `v${v}.wasm`, "--skip-semver-check")).code).toBe(0);
    }
    const pick = async (...argv: string[]) =>
      JSON.parse((await run("get", ...argv, "-o", `${dir}/picks/`, "--overwrite", "--json")).stdout).version;
    expect(await pick("example:versions")).toBe("0.2.1");
    expect(await pick("example:versions@^0.1")).toBe("0.1.0");
    expect(await pick("example:versions", "--prerelease")).toBe("0.3.0-rc.1");
    expect(await pick("example:versions@0.2.0")).toBe("0.2.0");
  });

  it("refuses a semver-incompatible release in the same series", async () => {
    const { dir, run } = await project();
    await writeFile(join(dir, "a.wasm"), witPackage("example:gate@1.0.0", "f: func() -> u32;"));
    await writeFile(join(dir, "b.wasm"), witPackage("example:gate@1.1.0", "f: func() -> string;"));
    await writeFile(join(dir, "c.wasm"), witPackage("example:gate@1.2.0", "f: func() -> u32;\n  g: func();"));
    expect((await run("publish", "a.wasm")).code).toBe(0);
    const refused = await run("publish", "b.wasm");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not semver-compatible/);
    expect((await run("publish", "c.wasm")).code).toBe(0);
    const again = await run("publish", "a.wasm");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("example:gate@1.0.0 already exists");
  });
});
