import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type TestRegistry, cleanupTempDirs, startFaultProxy, startRegistry, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciClient } from "../src/index.js";
import { fakeComponent, readAll, recordingLogger, sha256, uniqueRepo } from "./helpers.js";

afterAll(cleanupTempDirs);

const client = (extra: ConstructorParameters<typeof OciClient>[0] = {}) =>
  new OciClient({ env: {}, dockerConfig: false, retries: 2, ...extra });
/** Every file of these tests counts as large. */
const overlap = { overlapMinBytes: 1 };

describe("pushing a large file to a new tag while it is hashed", () => {
  let registry: TestRegistry;
  let direct: OciClient;
  let dir: string;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "open" });
    direct = client();
    dir = await tempDir();
  });
  afterAll(async () => {
    await direct?.close();
    await registry?.stop();
  });

  async function file(size: number) {
    const bytes = fakeComponent(size);
    const path = join(dir, `${sha256(bytes).slice(7, 19)}.wasm`);
    await writeFile(path, bytes);
    return { bytes, path };
  }

  async function pullBack(repository: string, tag = "1.0.0") {
    const pulled = await direct.pull(`${registry.registry}/${repository}:${tag}`);
    return Buffer.from(await readAll(pulled.content));
  }

  it("streams the layer in one PATCH and closes the upload with its digest", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { bytes, path } = await file(3 * 1024 * 1024 + 7);
      const repository = uniqueRepo();
      const c = client();
      const pushed = await c.push(`${proxy.authority}/${repository}:1.0.0`, { path }, overlap);
      await c.close();
      expect(pushed.uploaded).toEqual({ layer: true, config: true });
      expect(pushed.layer.digest.toString()).toBe(sha256(bytes));
      const layerRequests = proxy.requests.filter((r) => r.path.includes("/blobs/uploads/")).map((r) => r.method);
      // Layer: POST, PATCH (all bytes), PUT ?digest=; config: POST, PUT.
      expect(layerRequests).toEqual(["POST", "PATCH", "PUT", "POST", "PUT"]);
      expect(proxy.requests.find((r) => r.method === "PATCH")?.headers["content-length"]).toBe(String(bytes.byteLength));
      expect(Buffer.compare(await pullBack(repository), bytes)).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it("abandons the upload when the repository turns out to hold the blob already", async () => {
    const { bytes, path } = await file(2 * 1024 * 1024);
    const repository = uniqueRepo();
    await direct.push(`${registry.registry}/${repository}:0.9.0`, bytes);
    const c = client();
    const pushed = await c.push(`${registry.registry}/${repository}:1.0.0`, { path }, overlap);
    await c.close();
    expect(pushed.uploaded.layer).toBe(false);
    expect(Buffer.compare(await pullBack(repository), bytes)).toBe(0);
  });

  it("falls back to a normal upload when the streamed PATCH fails", async () => {
    let failed = 0;
    const proxy = await startFaultProxy(registry.url, (req) =>
      req.method === "PATCH" && failed++ === 0 ? { respond: { status: 502, body: "bad gateway" } } : undefined,
    );
    try {
      const { bytes, path } = await file(1024 * 1024);
      const repository = uniqueRepo();
      const logger = recordingLogger();
      const c = client({ logger });
      const pushed = await c.push(`${proxy.authority}/${repository}:1.0.0`, { path }, overlap);
      await c.close();
      expect(pushed.uploaded.layer).toBe(true);
      expect(logger.events.some((e) => e.type === "retry" && e.reason.includes("streamed upload"))).toBe(true);
      expect(Buffer.compare(await pullBack(repository), bytes)).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it("hashes first when the tag exists, so an identical push uploads nothing", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { path } = await file(1024 * 1024);
      const repository = uniqueRepo();
      const c = client();
      await c.push(`${proxy.authority}/${repository}:1.0.0`, { path }, overlap);
      const before = proxy.requests.length;
      const again = await c.push(`${proxy.authority}/${repository}:1.0.0`, { path }, overlap);
      await c.close();
      expect(again.unchanged).toBe(true);
      expect(proxy.requests.slice(before).map((r) => r.method)).toEqual(["HEAD"]);
    } finally {
      await proxy.close();
    }
  });

  it("uploads nothing on a dry run, and stops unwrapped when aborted", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { path } = await file(4 * 1024 * 1024);
      const repository = uniqueRepo();
      const c = client();
      const dry = await c.push(`${proxy.authority}/${repository}:1.0.0`, { path }, { ...overlap, dryRun: true });
      expect(dry.dryRun).toBe(true);
      expect(proxy.requests.some((r) => r.method === "POST" || r.method === "PATCH")).toBe(false);
      const controller = new AbortController();
      const pending = c.push(`${proxy.authority}/${repository}:1.0.0`, { path }, { ...overlap, signal: controller.signal });
      setTimeout(() => controller.abort(), 5);
      await expect(pending).rejects.toMatchObject({ name: "AbortError" });
      await c.close();
      const tags = await fetch(`${registry.url}/v2/${repository}/tags/list`);
      expect(tags.status).toBe(404);
    } finally {
      await proxy.close();
    }
  });
});
