import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type TestRegistry, cleanupTempDirs, startFaultProxy, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { component, runWkg, spawnWkg } from "./helpers.js";

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

let n = 0;
const repo = (registry: TestRegistry) => `${registry.registry}/cli/r${process.pid}-${++n}`;

afterAll(cleanupTempDirs);

describe("wkg oci push / pull (open registry)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "open" });
  });
  afterAll(() => registry?.stop());

  it("pushes, printing the digest as upstream, and pulls to the default file name", async () => {
    const dir = await tempDir();
    const bytes = component(10_000);
    await writeFile(join(dir, "app.wasm"), bytes);
    const ref = `${repo(registry)}:1.0.0`;
    const pushed = await runWkg(["oci", "push", ref, "app.wasm", "--annotation", "org.opencontainers.image.description=demo app"], {
      cwd: dir,
      env: {},
    });
    expect(pushed.code).toBe(0);
    const digest = /^digest: (sha256:[0-9a-f]{64})$/m.exec(pushed.stdout)?.[1];
    expect(pushed.stdout).toBe(`pushed: ${ref}\ndigest: ${digest}\n`);
    expect(pushed.stderr).toContain("Pushing app.wasm to");

    const pulled = await runWkg(["oci", "pull", ref], { cwd: dir, env: {} });
    expect(pulled.code).toBe(0);
    const name = `${ref.slice(registry.registry.length + 1, ref.lastIndexOf(":")).replaceAll("/", "_")}.wasm`;
    expect(pulled.stdout).toBe(`Successfully wrote ${ref} to ${name}\n`);
    expect(sha256(await readFile(join(dir, name)))).toBe(sha256(bytes));

    // By digest, to an explicit path.
    const byDigest = await runWkg(["oci", "pull", `${ref.slice(0, ref.lastIndexOf(":"))}@${digest}`, "-o", "sub/copy.wasm"], {
      cwd: dir,
      env: {},
    });
    expect(byDigest.code).toBe(0);
    expect(sha256(await readFile(join(dir, "sub", "copy.wasm")))).toBe(sha256(bytes));
  });

  it("answers --json with the digests and annotations", async () => {
    const dir = await tempDir();
    const bytes = component(2048);
    await writeFile(join(dir, "x.wasm"), bytes);
    const ref = `${repo(registry)}:0.1.0`;
    const pushed = await runWkg(["--json", "oci", "push", ref, "x.wasm", "-a", "Ada", "--annotation", "a=b=c"], { cwd: dir, env: {} });
    expect(pushed.code).toBe(0);
    const doc = JSON.parse(pushed.stdout);
    expect(doc).toMatchObject({
      ok: true,
      tag: "0.1.0",
      unchanged: false,
      os: "wasip2",
      layer: { digest: sha256(bytes), size: 2048 },
      annotations: { a: "b=c" },
    });
    const again = JSON.parse(
      (await runWkg(["--json", "oci", "push", ref, "x.wasm", "-a", "Ada", "--annotation", "a=b=c"], { cwd: dir, env: {} })).stdout,
    );
    expect(again).toMatchObject({ ok: true, unchanged: true, digest: doc.digest });

    const pulled = JSON.parse((await runWkg(["--json", "oci", "pull", ref, "-o", "y.wasm"], { cwd: dir, env: {} })).stdout);
    expect(pulled).toMatchObject({ ok: true, digest: doc.digest, os: "wasip2", annotations: { a: "b=c" }, layer: { size: 2048 } });
  });

  it("draws progress with bytes and rate on a TTY only", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "big.wasm"), component(3 * 1024 * 1024));
    const ref = `${repo(registry)}:1.0.0`;
    const tty = await runWkg(["oci", "push", ref, "big.wasm"], { cwd: dir, env: {}, tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain("Transferring");
    expect(tty.stderr).toMatch(/\d+(\.\d)? (B|KiB|MiB)\/s/);
    const plain = await runWkg(["oci", "pull", ref, "-o", "back.wasm"], { cwd: dir, env: {} });
    expect(plain.stderr).not.toContain("Transferring");
  });

  it("refuses a file that is not wasm, and a bad annotation, with advice", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "notes.txt"), "hello");
    const bad = await runWkg(["oci", "push", `${repo(registry)}:1.0.0`, "notes.txt"], { cwd: dir, env: {} });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not a WebAssembly binary");
    const annotation = await runWkg(["oci", "push", `${repo(registry)}:1.0.0`, "notes.txt", "--annotation", "novalue"], {
      cwd: dir,
      env: {},
    });
    expect(annotation.code).toBe(2);
    expect(annotation.stderr).toContain("invalid KEY=value: no `=` found in `novalue`");
    const missing = await runWkg(["oci", "push", `${repo(registry)}:1.0.0`, "nope.wasm"], { cwd: dir, env: {} });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no such file");
  });

  it("reports a missing tag and leaves no file", async () => {
    const dir = await tempDir();
    const result = await runWkg(["oci", "pull", `${repo(registry)}:9.9.9`, "-o", "out.wasm"], { cwd: dir, env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: not found: .*:9\.9\.9/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("rejects content that does not match its digest and leaves no file", async () => {
    const dir = await tempDir();
    const bytes = component(200_000);
    await writeFile(join(dir, "c.wasm"), bytes);
    const ref = `${repo(registry)}:1.0.0`;
    expect((await runWkg(["oci", "push", ref, "c.wasm"], { cwd: dir, env: {} })).code).toBe(0);
    const layer = sha256(bytes);
    const proxy = await startFaultProxy(registry.url, (req) => (req.url?.includes(`/blobs/${layer}`) ? { corrupt: true } : undefined));
    try {
      const proxied = ref.replace(registry.registry, proxy.authority);
      const result = await runWkg(["oci", "pull", proxied, "-o", "out.wasm"], { cwd: dir, env: {} });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("does not match its digest");
      expect(existsSync(join(dir, "out.wasm"))).toBe(false);
      expect((await readdir(dir)).sort()).toEqual(["c.wasm"]);
    } finally {
      await proxy.close();
    }
  });
});

describe("wkg oci with credentials", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "basic" });
  });
  afterAll(() => registry?.stop());

  it("takes -u/-p, or WKG_OCI_USERNAME/WKG_OCI_PASSWORD", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "a.wasm"), component(1000));
    const ref = `${repo(registry)}:1.0.0`;
    const flags = await runWkg(["oci", "push", ref, "a.wasm", "-u", registry.username as string, "-p", registry.password as string], {
      cwd: dir,
      env: {},
    });
    expect(flags.code).toBe(0);
    const env = await runWkg(["oci", "pull", ref, "-o", "b.wasm"], {
      cwd: dir,
      env: { WKG_OCI_USERNAME: registry.username, WKG_OCI_PASSWORD: registry.password },
    });
    expect(env.code).toBe(0);
  });

  it("needs both a username and a password", async () => {
    const result = await runWkg(["oci", "pull", `${repo(registry)}:1.0.0`, "-u", "someone"], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Must provide both a username and password");
  });

  it("says 'not found or not authorized' without credentials, and never prints the password", async () => {
    const anonymous = await runWkg(["oci", "pull", `${repo(registry)}:1.0.0`], { env: {} });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain("not found or not authorized");
    expect(anonymous.stderr).toContain("log in");
    const wrong = await runWkg(
      ["-vv", "oci", "pull", `${repo(registry)}:1.0.0`, "-u", registry.username as string, "-p", "wrong-password-123"],
      {
        env: {},
      },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("were refused");
    expect(wrong.stderr).not.toContain("wrong-password-123");
    expect(wrong.stderr).not.toContain(Buffer.from(`${registry.username}:wrong-password-123`).toString("base64"));
  });
});

describe("wkg oci over TLS (the built binary)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "tls" });
  });
  afterAll(() => registry?.stop());

  it("pushes and pulls with the CA from NODE_EXTRA_CA_CERTS, and fails with advice without it", async () => {
    const dir = await tempDir();
    const bytes = component(5000);
    await writeFile(join(dir, "t.wasm"), bytes);
    const ref = `${repo(registry)}:1.0.0`;
    const env = { NODE_EXTRA_CA_CERTS: registry.caCertPath, HOME: dir };
    const pushed = await spawnWkg(["oci", "push", ref, "t.wasm"], { cwd: dir, env });
    expect(pushed.stderr).toBe(pushed.code === 0 ? pushed.stderr : "");
    expect(pushed.code).toBe(0);
    const pulled = await spawnWkg(["oci", "pull", ref, "-o", "u.wasm"], { cwd: dir, env });
    expect(pulled.code).toBe(0);
    expect(sha256(await readFile(join(dir, "u.wasm")))).toBe(sha256(bytes));

    const untrusted = await spawnWkg(["oci", "pull", ref, "-o", "v.wasm"], { cwd: dir, env: { HOME: dir } });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate/i);
  });
});
