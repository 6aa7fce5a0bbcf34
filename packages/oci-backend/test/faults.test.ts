import { readdir } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Digest, isWkgError } from "@wasm-pkg/common";
import {
  type Fault,
  type TestRegistry,
  cleanupTempDirs,
  makeSelfSignedCert,
  readBody,
  startFaultProxy,
  startRegistry,
  startServer,
  tempDir,
} from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciClient, RegistryClient, buildConfig, buildManifest } from "../src/index.js";
import { fakeComponent, readAll, recordingLogger, sameBytes, sha256, uniqueRepo } from "./helpers.js";

afterAll(cleanupTempDirs);

/** A fault rule that fires `times` times for requests matching `match`, then forwards. */
function times(match: (req: IncomingMessage) => boolean, fault: Fault, count = 1) {
  let left = count;
  return (req: IncomingMessage): Fault | undefined => {
    if (left > 0 && match(req)) {
      left--;
      return fault;
    }
    return undefined;
  };
}

const client = (extra: ConstructorParameters<typeof OciClient>[0] = {}) =>
  new OciClient({ env: {}, dockerConfig: false, retries: 2, ...extra });

describe("faults between us and a real registry", () => {
  let registry: TestRegistry;
  let direct: OciClient;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "open" });
    direct = client();
  });
  afterAll(async () => {
    await direct?.close();
    await registry?.stop();
  });

  async function seed(size = 600_000) {
    const repository = uniqueRepo();
    const bytes = fakeComponent(size);
    await direct.push(`${registry.registry}/${repository}:1.0.0`, bytes);
    return { repository, bytes, layer: sha256(bytes) };
  }

  it("resumes a blob download that drops mid-body, with Range", async () => {
    const { repository, bytes, layer } = await seed(2_000_000);
    const proxy = await startFaultProxy(
      registry.url,
      times((req) => req.method === "GET" && Boolean(req.url?.includes(`/blobs/${layer}`)), { dropAfter: 700_000 }),
    );
    try {
      const logger = recordingLogger();
      const c = client({ logger });
      const pulled = await c.pull(`${proxy.authority}/${repository}:1.0.0`);
      expect(sameBytes(await readAll(pulled.content), bytes)).toBe(true);
      const blobGets = proxy.requests.filter((r) => r.path.includes(`/blobs/${layer}`));
      expect(blobGets).toHaveLength(2);
      expect(blobGets[1]?.headers.range).toMatch(/^bytes=\d+-$/);
      expect(logger.events.some((e) => e.type === "retry" && e.reason.includes("resuming"))).toBe(true);
      await c.close();
    } finally {
      await proxy.close();
    }
  });

  it("retries a 503 and then succeeds", async () => {
    const { repository } = await seed(1000);
    const proxy = await startFaultProxy(
      registry.url,
      times((req) => Boolean(req.url?.includes("/manifests/")), { respond: { status: 503, body: "busy" } }),
    );
    try {
      const logger = recordingLogger();
      const c = client({ logger });
      const resolved = await c.resolve(`${proxy.authority}/${repository}:1.0.0`);
      expect(resolved.layer.size).toBe(1000);
      expect(logger.events.filter((e) => e.type === "retry")).toHaveLength(1);
      await c.close();
    } finally {
      await proxy.close();
    }
  });

  it("waits as long as a 429's Retry-After says", async () => {
    const { repository } = await seed(1000);
    const proxy = await startFaultProxy(
      registry.url,
      times((req) => Boolean(req.url?.includes("/tags/list")), {
        respond: {
          status: 429,
          headers: { "retry-after": "1", "content-type": "application/json" },
          body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
        },
      }),
    );
    try {
      const logger = recordingLogger();
      const c = client({ logger });
      const started = performance.now();
      expect(await c.listTags(`${proxy.authority}/${repository}`)).toEqual(["1.0.0"]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
      expect(logger.events.find((e) => e.type === "retry")).toMatchObject({ delayMs: 1000 });
      await c.close();
    } finally {
      await proxy.close();
    }
  });

  it("gives up on a 429 that never ends, saying it was rate limited", async () => {
    const proxy = await startFaultProxy(registry.url, (req) =>
      req.url?.includes("/tags/list") ? { respond: { status: 429, headers: { "retry-after": "0" } } } : undefined,
    );
    try {
      const error = await client()
        .listTags(`${proxy.authority}/${uniqueRepo()}`)
        .catch((e: unknown) => e);
      expect(isWkgError(error, "REGISTRY")).toBe(true);
      expect((error as Error).message).toContain("rate limited");
    } finally {
      await proxy.close();
    }
  });

  it("rejects a blob whose bytes do not match, leaving no file", async () => {
    const { repository, layer } = await seed(300_000);
    const proxy = await startFaultProxy(registry.url, (req) => (req.url?.includes(`/blobs/${layer}`) ? { corrupt: true } : undefined));
    try {
      const dir = await tempDir();
      const error = await client()
        .pullToFile(`${proxy.authority}/${repository}:1.0.0`, join(dir, "out.wasm"))
        .catch((e: unknown) => e);
      expect(isWkgError(error, "INTEGRITY")).toBe(true);
      expect((error as Error).message).toContain(`expected ${layer}`);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("rejects a manifest whose bytes do not match the digest asked for or stated", async () => {
    const { repository } = await seed(1000);
    const manifest = await direct.resolve(`${registry.registry}/${repository}:1.0.0`);
    const proxy = await startFaultProxy(registry.url, (req) =>
      req.url?.includes("/manifests/") && req.method === "GET" ? { corrupt: true } : undefined,
    );
    try {
      for (const ref of [`${repository}@${manifest.manifestDigest}`, `${repository}:1.0.0`]) {
        const error = await client()
          .resolve(`${proxy.authority}/${ref}`)
          .catch((e: unknown) => e);
        expect(isWkgError(error, "INTEGRITY")).toBe(true);
      }
    } finally {
      await proxy.close();
    }
  });

  it("restarts an upload whose connection dropped", async () => {
    const proxy = await startFaultProxy(
      registry.url,
      times((req) => req.method === "PUT" && Boolean(req.url?.includes("/blobs/uploads/")), { dropAfter: 0 }),
    );
    try {
      const logger = recordingLogger();
      const c = client({ logger });
      const repository = uniqueRepo();
      const bytes = fakeComponent(500_000);
      await c.push(`${proxy.authority}/${repository}:1.0.0`, bytes);
      const pulled = await direct.pull(`${registry.registry}/${repository}:1.0.0`);
      expect(sameBytes(await readAll(pulled.content), bytes)).toBe(true);
      expect(logger.events.some((e) => e.type === "retry" && e.reason.includes("starting it again"))).toBe(true);
      await c.close();
    } finally {
      await proxy.close();
    }
  });

  it("switches to chunks when a proxy refuses a large single PUT with 413", async () => {
    const proxy = await startFaultProxy(registry.url, (req) =>
      req.method === "PUT" && req.url?.includes("/blobs/uploads/") && Number(req.headers["content-length"]) > 1024 * 1024
        ? { respond: { status: 413, headers: { "content-type": "text/html" }, body: "<html>413 Request Entity Too Large</html>" } }
        : undefined,
    );
    try {
      const c = client();
      const repository = uniqueRepo();
      const bytes = fakeComponent(2 * 1024 * 1024 + 5);
      await c.push(`${proxy.authority}/${repository}:1.0.0`, bytes, { upload: { chunkSize: 1024 * 1024 } });
      expect(proxy.requests.filter((r) => r.method === "PATCH").length).toBe(3);
      const pulled = await direct.pull(`${registry.registry}/${repository}:1.0.0`);
      expect(sameBytes(await readAll(pulled.content), bytes)).toBe(true);
      await c.close();
    } finally {
      await proxy.close();
    }
  });

  it("restarts an upload after a 5xx mid-way through chunks", async () => {
    let patches = 0;
    const proxy = await startFaultProxy(registry.url, (req) =>
      req.method === "PATCH" && ++patches === 2
        ? {
            respond: {
              status: 500,
              headers: { "content-type": "application/json" },
              body: '{"errors":[{"code":"UNKNOWN","message":"boom"}]}',
            },
          }
        : undefined,
    );
    try {
      const c = client();
      const repository = uniqueRepo();
      const bytes = fakeComponent(3 * 1024 * 1024);
      await c.push(`${proxy.authority}/${repository}:1.0.0`, bytes, { upload: { mode: "chunked", chunkSize: 1024 * 1024 } });
      expect(proxy.requests.filter((r) => r.method === "POST").length).toBe(3); // layer twice, config once
      const pulled = await direct.pull(`${registry.registry}/${repository}:1.0.0`);
      expect(sameBytes(await readAll(pulled.content), bytes)).toBe(true);
      await c.close();
    } finally {
      await proxy.close();
    }
  });

  it("stops at once, unwrapped, when aborted mid-download, leaving no file", async () => {
    const { repository, layer } = await seed(4_000_000);
    // The proxy sends the first megabyte of the blob, then nothing: the download hangs there.
    const proxy = await startFaultProxy(registry.url, (req) =>
      req.url?.includes(`/blobs/${layer}`) ? { stallAfter: 1_000_000 } : undefined,
    );
    try {
      const dir = await tempDir();
      const controller = new AbortController();
      let reached = false;
      const c = client({
        logger: (event) => {
          if (event.type === "progress" && event.transferred >= 700_000 && !reached) {
            reached = true;
            setTimeout(() => controller.abort(new DOMException("stop", "AbortError")), 50);
          }
        },
      });
      const pending = c.pullToFile(`${proxy.authority}/${repository}:1.0.0`, join(dir, "out.wasm"), { signal: controller.signal });
      const error = await pending.catch((e: unknown) => e);
      expect(reached).toBe(true);
      expect((error as Error).name).toBe("AbortError");
      expect(isWkgError(error)).toBe(false);
      expect(await readdir(dir)).toEqual([]);
      await c.close();
    } finally {
      await proxy.close();
    }
  });
});

describe("credentials and redirects", () => {
  it("follows a cross-origin blob redirect without sending credentials there", async () => {
    const registry = await startRegistry({ mode: "basic" });
    const auth = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString("base64")}`;
    const c = client({ credentials: { username: registry.username as string, password: registry.password as string } });
    try {
      const repository = uniqueRepo();
      const bytes = fakeComponent(50_000);
      await c.push(`${registry.registry}/${repository}:1.0.0`, bytes);
      const layer = sha256(bytes);
      // "Object storage": another origin that serves the blob (it fetches it with its own credentials).
      const seen: Array<string | undefined> = [];
      const storage = await startServer(async (req, res) => {
        seen.push(req.headers.authorization);
        const upstream = await fetch(`${registry.url}/v2/${repository}/blobs/${layer}`, { headers: { authorization: auth } });
        res.writeHead(200, { "content-length": String(bytes.length) });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      });
      const proxy = await startFaultProxy(registry.url, (req) =>
        req.method === "GET" && req.url?.includes(`/blobs/${layer}`)
          ? { redirect: `${storage.url}/bucket/${layer}?X-Amz-Signature=abc` }
          : undefined,
      );
      try {
        const logger = recordingLogger();
        const viaProxy = client({ logger, credentials: { username: registry.username as string, password: registry.password as string } });
        const pulled = await viaProxy.pull(`${proxy.authority}/${repository}:1.0.0`);
        expect(sameBytes(await readAll(pulled.content), bytes)).toBe(true);
        // The registry (through the proxy) got credentials; the other origin never did.
        expect(proxy.requests.some((r) => r.headers.authorization === auth)).toBe(true);
        expect(seen).toEqual([undefined]);
        const redirect = logger.events.find((e) => e.type === "redirect");
        expect(redirect).toMatchObject({ crossOrigin: true });
        expect(JSON.stringify(redirect)).not.toContain("abc");
        await viaProxy.close();
      } finally {
        await proxy.close();
        await storage.close();
      }
    } finally {
      await c.close();
      await registry.stop();
    }
  });
});

describe("protocol details a real registry cannot show", () => {
  it("follows Link pagination of tags, and reads `tags: null` as none", async () => {
    const server = await startServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      res.setHeader("content-type", "application/json");
      if (url.pathname === "/v2/") return res.end("{}");
      if (url.pathname === "/v2/empty/repo/tags/list") return res.end('{"name":"empty/repo","tags":null}');
      const last = url.searchParams.get("last");
      if (!last) {
        res.setHeader("link", '</v2/paged/repo/tags/list?n=2&last=0.2.0>; rel="next"');
        return res.end('{"name":"paged/repo","tags":["0.1.0","0.2.0"]}');
      }
      if (last === "0.2.0") {
        res.setHeader("link", `<${"http://"}${req.headers.host}/v2/paged/repo/tags/list?n=2&last=latest>; rel="next"`);
        return res.end('{"name":"paged/repo","tags":["1.0.0","latest"]}');
      }
      return res.end('{"name":"paged/repo","tags":["2.0.0-rc.1"]}');
    });
    try {
      const c = client();
      expect(await c.listTags(`${server.authority}/paged/repo`)).toEqual(["0.1.0", "0.2.0", "1.0.0", "latest", "2.0.0-rc.1"]);
      expect(await c.listTags(`${server.authority}/empty/repo`)).toEqual([]);
      await c.close();
    } finally {
      await server.close();
    }
  });

  it("refuses manifests over 4 MiB", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/v2/") return res.end("{}");
      res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
      res.end(`{"schemaVersion":2,"annotations":{"x":"${"a".repeat(4 * 1024 * 1024)}"}}`);
    });
    try {
      const error = await client()
        .resolve(`${server.authority}/big/repo:1.0.0`)
        .catch((e: unknown) => e);
      expect(isWkgError(error, "INVALID_CONTENT")).toBe(true);
      expect((error as Error).message).toContain("larger than 4194304 bytes");
    } finally {
      await server.close();
    }
  });

  it("refuses to push a manifest over 4 MiB before sending anything", async () => {
    const server = await startServer((_req, res) => res.end("{}"));
    try {
      const error = await client()
        .push(`${server.authority}/a/b:1.0.0`, fakeComponent(10), { annotations: { big: "x".repeat(4 * 1024 * 1024) } })
        .catch((e: unknown) => e);
      expect(isWkgError(error, "INVALID_MANIFEST")).toBe(true);
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("asks for the OCI manifest type and maps plain-text 404s", async () => {
    const accepts: string[] = [];
    const server = await startServer((req, res) => {
      if (req.url === "/v2/") return res.end("{}");
      accepts.push(String(req.headers.accept));
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("404 page not found\n");
    });
    try {
      const error = await client()
        .resolve(`${server.authority}/some/repo:1.0.0`)
        .catch((e: unknown) => e);
      expect(isWkgError(error, "VERSION_NOT_FOUND")).toBe(true);
      expect((error as Error).message).toContain("404 page not found");
      expect(accepts[0]).toContain("application/vnd.oci.image.manifest.v1+json");
    } finally {
      await server.close();
    }
  });

  it("maps 403 with a ghcr-style error to 'not found or not authorized'", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/v2/") return res.end("{}");
      res.writeHead(403, { "content-type": "application/json" });
      res.end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
    });
    try {
      const error = await client()
        .listTags(`${server.authority}/private/pkg`)
        .catch((e: unknown) => e);
      expect(isWkgError(error, "UNAUTHORIZED")).toBe(true);
      expect((error as Error).message).toContain("not found or not authorized");
      expect((error as Error).message).toContain("DENIED: requested access to the resource is denied");
    } finally {
      await server.close();
    }
  });

  it("follows a Location on another origin for uploads without sending credentials there", async () => {
    const seen: Array<{ method: string; auth: string | undefined }> = [];
    let uploads: { url: string } | undefined;
    const storage = await startServer(async (req, res) => {
      seen.push({ method: req.method ?? "", auth: req.headers.authorization });
      await readBody(req);
      res.writeHead(201, { "docker-content-digest": new URL(req.url ?? "/", "http://x").searchParams.get("digest") ?? "" });
      res.end();
    });
    const registry = await startServer(async (req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (!req.headers.authorization) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="x"' });
        return res.end();
      }
      await readBody(req);
      if (url.pathname === "/v2/") return res.end("{}");
      if (req.method === "HEAD") {
        res.writeHead(404);
        return res.end();
      }
      if (req.method === "POST") {
        uploads = { url: `${storage.url}/upload/1?sig=s` };
        res.writeHead(202, { location: uploads.url });
        return res.end();
      }
      if (req.method === "PUT" && url.pathname.includes("/manifests/")) {
        res.writeHead(201);
        return res.end();
      }
      res.writeHead(500);
      res.end();
    });
    try {
      const c = client({ credentials: { username: "u", password: "secret-password" } });
      await c.push(`${registry.authority}/a/b:1.0.0`, fakeComponent(1000));
      expect(seen.length).toBe(2);
      expect(seen.every((s) => s.auth === undefined)).toBe(true);
      await c.close();
    } finally {
      await registry.close();
      await storage.close();
    }
  });
});

describe("image indexes, Docker Hub and token realms", () => {
  it("resolves an image index to its wasm entry, and refuses an index inside an index", async () => {
    const bytes = fakeComponent(64);
    const layer = Digest.of(bytes);
    const config = buildConfig({ os: "wasip2", layerDigest: layer });
    const manifest = buildManifest({
      config: { digest: Digest.of(config), size: config.length },
      layer: { digest: layer, size: bytes.length },
    });
    const index = (digest: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: `sha256:${"0".repeat(64)}`,
            size: 1,
            platform: { architecture: "amd64", os: "linux" },
          },
          { mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: 1, platform: { architecture: "wasm", os: "wasip2" } },
        ],
      });
    const outer = index(Digest.of(manifest).toString());
    const nested = index(Digest.of(outer).toString());
    const blobs = new Map<string, Uint8Array | string>([
      [Digest.of(manifest).toString(), manifest],
      [Digest.of(outer).toString(), outer],
      [layer.toString(), bytes],
      [Digest.of(config).toString(), config],
    ]);
    const server = await startServer((req, res) => {
      const url = req.url ?? "";
      if (url === "/v2/") return res.end("{}");
      const ref = url.slice(url.lastIndexOf("/") + 1);
      const body = ref === "multi" ? outer : ref === "nested" ? nested : blobs.get(ref);
      if (body === undefined) {
        res.writeHead(404);
        return res.end();
      }
      const type = typeof body === "string" ? "application/vnd.oci.image.index.v1+json" : "application/octet-stream";
      res.writeHead(200, {
        "content-type": url.includes("/manifests/") && body === manifest ? "application/vnd.oci.image.manifest.v1+json" : type,
      });
      res.end(body);
    });
    try {
      const c = client();
      const pulled = await c.pull(`${server.authority}/some/app:multi`);
      expect(pulled.manifestDigest.toString()).toBe(Digest.of(manifest).toString());
      expect(sameBytes(await readAll(pulled.content), bytes)).toBe(true);
      const error = await c.resolve(`${server.authority}/some/app:nested`).catch((e: unknown) => e);
      expect(isWkgError(error, "INVALID_MANIFEST")).toBe(true);
      await c.close();
    } finally {
      await server.close();
    }
  });

  it("talks to registry-1.docker.io for docker.io references", () => {
    const c = client();
    expect(c.registry("docker.io").baseUrl).toBe("https://registry-1.docker.io");
    expect(c.registry("ghcr.io").baseUrl).toBe("https://ghcr.io");
    expect(c.registry("localhost:5000").baseUrl).toBe("http://localhost:5000");
    const insecure = client({ insecure: ["example.com", "other.example:5000"] });
    expect(insecure.registry("example.com:8443").baseUrl).toBe("http://example.com:8443");
    expect(insecure.registry("other.example:5000").baseUrl).toBe("http://other.example:5000");
    expect(insecure.registry("other.example").baseUrl).toBe("https://other.example");
    expect(
      new RegistryClient({ registry: "localhost:5000", protocol: "https", http: c.http, credentials: async () => ({ kind: "anonymous" }) })
        .baseUrl,
    ).toBe("https://localhost:5000");
  });

  it("never sends credentials of an https registry to a plain-http token realm elsewhere", async () => {
    const dir = await tempDir();
    const cert = await makeSelfSignedCert(dir);
    const server = createHttpsServer({ key: cert.key, cert: cert.cert }, (_req, res) => {
      res.writeHead(401, { "www-authenticate": 'Bearer realm="http://tokens.example.invalid/token",service="x"' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      // A loopback TLS server that does not answer plain http: found to speak https by itself.
      const c = new OciClient({ env: {}, dockerConfig: false, ca: [cert.cert], credentials: { username: "u", password: "secret-pass" } });
      const error = await c.listTags(`127.0.0.1:${port}/a/b`).catch((e: unknown) => e);
      expect(isWkgError(error, "CREDENTIALS"), String(error)).toBe(true);
      expect((error as Error).message).toContain("plain-http token realm");
      expect(c.registry(`127.0.0.1:${port}`).baseUrl).toBe(`https://127.0.0.1:${port}`);
      await c.close();
      // Without the CA, the advice is about certificates.
      const untrusted = new OciClient({ env: {}, dockerConfig: false, retries: 0 });
      const tlsError = await untrusted.listTags(`127.0.0.1:${port}/a/b`).catch((e: unknown) => e);
      expect(isWkgError(tlsError, "NETWORK")).toBe(true);
      expect((tlsError as { hint?: string }).hint).toContain("certificate");
      await untrusted.close();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
