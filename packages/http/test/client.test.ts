import { afterEach, describe, expect, it } from "vitest";
import { type TestServer, startServer } from "@wasm-pkg/test-utils";
import type { WkgEvent } from "@wasm-pkg/common";
import { createHttpClient, download, parseRetryAfter, statusError } from "../src/index.js";

const servers: TestServer[] = [];
async function serve(handler: Parameters<typeof startServer>[0]) {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function client(events: WkgEvent[] = [], extra: Parameters<typeof createHttpClient>[0] = {}) {
  return createHttpClient({ logger: (e) => events.push(e), retryBaseMs: 1, random: () => 0.5, ...extra });
}

describe("retries", () => {
  it("retries a 503 and then succeeds", async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      calls++;
      if (calls < 3) {
        res.writeHead(503).end("busy");
        return;
      }
      res.end("ok");
    });
    const events: WkgEvent[] = [];
    const res = await client(events).request(`${server.url}/x`);
    expect(await res.text()).toBe("ok");
    expect(calls).toBe(3);
    expect(events.filter((e) => e.type === "retry")).toHaveLength(2);
  });

  it("honours Retry-After on 429", async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { "retry-after": "1" }).end();
        return;
      }
      res.end("ok");
    });
    const events: WkgEvent[] = [];
    const started = Date.now();
    const res = await client(events).request(`${server.url}/x`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(events.find((e) => e.type === "retry")).toMatchObject({ delayMs: 1000, reason: "HTTP 429 (Retry-After)" });
  });

  it("gives up after the configured retries and returns the last response", async () => {
    const server = await serve((_req, res) => res.writeHead(500).end("nope"));
    const res = await client([], { retries: 2 }).request(`${server.url}/x`);
    expect(res.status).toBe(500);
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry a POST", async () => {
    const server = await serve((_req, res) => res.writeHead(503).end());
    const res = await client().request(`${server.url}/x`, { method: "POST", body: "a" });
    expect(res.status).toBe(503);
    expect(server.requests).toHaveLength(1);
  });

  it("retries a dropped connection, then reports a NETWORK error naming the URL", async () => {
    const server = await serve((req) => req.socket.destroy());
    const events: WkgEvent[] = [];
    await expect(client(events, { retries: 2 }).request(`${server.url}/v2/`)).rejects.toMatchObject({
      code: "NETWORK",
      message: expect.stringContaining(`after 3 attempts`),
    });
    expect(server.requests).toHaveLength(3);
  });

  it("never retries after an abort", async () => {
    const server = await serve(() => {
      /* never answers */
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(client().request(`${server.url}/slow`, { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(server.requests).toHaveLength(1);
  });

  it("times out a server that never answers", async () => {
    const server = await serve(() => {
      /* never answers */
    });
    await expect(client([], { timeoutMs: 150, retries: 0 }).request(`${server.url}/slow`)).rejects.toMatchObject({ code: "TIMEOUT" });
  });
});

describe("redirects", () => {
  it("follows same-origin redirects keeping credentials", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/a") res.writeHead(307, { location: "/b" }).end();
      else res.end(String(req.headers.authorization));
    });
    const res = await client().request(`${server.url}/a`, { headers: { authorization: "Bearer abcdefghijkl" } });
    expect(await res.text()).toBe("Bearer abcdefghijkl");
  });

  it("drops credentials on a cross-origin redirect", async () => {
    const storage = await serve((req, res) => res.end(`auth=${req.headers.authorization ?? "none"}`));
    const registry = await serve((_req, res) => res.writeHead(307, { location: `${storage.url}/blob?sig=xyz` }).end());
    const events: WkgEvent[] = [];
    const res = await client(events).request(`${registry.url}/v2/x/blobs/sha256:1`, {
      headers: { authorization: "Basic dXNlcjpwYXNzd29yZA==" },
    });
    expect(await res.text()).toBe("auth=none");
    expect(storage.requests[0]?.headers.authorization).toBeUndefined();
    const redirect = events.find((e) => e.type === "redirect");
    expect(redirect).toMatchObject({ crossOrigin: true, to: expect.stringContaining("sig=***") });
  });

  it("refuses a cross-origin redirect when asked to", async () => {
    const other = await serve((_req, res) => res.end("{}"));
    const server = await serve((_req, res) => res.writeHead(302, { location: `${other.url}/x` }).end());
    await expect(client().request(`${server.url}/a`, { crossOriginRedirect: "error" })).rejects.toThrow(/redirected to another host/);
    expect(other.requests).toHaveLength(0);
  });

  it("stops redirect loops", async () => {
    const server = await serve((_req, res) => res.writeHead(302, { location: "/loop" }).end());
    await expect(client([], { maxRedirects: 3 }).request(`${server.url}/a`)).rejects.toThrow(/too many redirects/);
  });
});

describe("download", () => {
  it("resumes a body that breaks off, using Range", async () => {
    const data = Buffer.alloc(300_000, 7);
    data.write("the end", data.length - 7);
    const server = await serve((req, res) => {
      const range = /bytes=(\d+)-/.exec(req.headers.range ?? "");
      if (range) {
        const start = Number(range[1]);
        res.writeHead(206, { "content-range": `bytes ${start}-${data.length - 1}/${data.length}`, "content-length": data.length - start });
        res.end(data.subarray(start));
        return;
      }
      res.writeHead(200, { "content-length": data.length, etag: '"v1"' });
      res.write(data.subarray(0, 100_000), () => setTimeout(() => req.socket.destroy(), 20));
    });
    const events: WkgEvent[] = [];
    const { response, body } = await download(client(events), `${server.url}/blob`);
    expect(response.status).toBe(200);
    const got = Buffer.from(await new Response(body).arrayBuffer());
    expect(got.equals(data)).toBe(true);
    expect(server.requests[1]?.headers.range).toMatch(/^bytes=\d+-$/);
    expect(server.requests[1]?.headers["if-range"]).toBe('"v1"');
    expect(events.some((e) => e.type === "retry" && e.reason.includes("resuming"))).toBe(true);
  });

  it("skips already-received bytes when the server ignores Range", async () => {
    const data = Buffer.from("0123456789".repeat(20_000));
    let calls = 0;
    const server = await serve((req, res) => {
      calls++;
      res.writeHead(200, { "content-length": data.length });
      if (calls === 1) res.write(data.subarray(0, 50_000), () => setTimeout(() => req.socket.destroy(), 20));
      else res.end(data);
    });
    const { body } = await download(client(), `${server.url}/blob`);
    expect(Buffer.from(await new Response(body).arrayBuffer()).equals(data)).toBe(true);
  });

  it("resumes a body that ends short and cleanly when its size is known from elsewhere", async () => {
    const data = Buffer.alloc(200_000, 3);
    data.write("tail", data.length - 4);
    const server = await serve((req, res) => {
      const range = /bytes=(\d+)-/.exec(req.headers.range ?? "");
      const start = range ? Number(range[1]) : 0;
      // No Content-Length, and the first answer stops early: only the expected size tells.
      res.writeHead(range ? 206 : 200, range ? { "content-range": `bytes ${start}-${data.length - 1}/${data.length}` } : {});
      res.end(data.subarray(start, range ? data.length : 64_000));
    });
    const short = await download(client(), `${server.url}/blob`);
    expect((await new Response(short.body).arrayBuffer()).byteLength).toBe(64_000);
    const { body } = await download(client(), `${server.url}/blob`, { size: data.length });
    expect(Buffer.from(await new Response(body).arrayBuffer()).equals(data)).toBe(true);
    expect(server.requests.at(-1)?.headers.range).toBe("bytes=64000-");
  });

  it("fails cleanly when the connection keeps dropping", async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { "content-length": 100_000 });
      res.write(Buffer.alloc(10_000), () => setTimeout(() => req.socket.destroy(), 10));
    });
    const { body } = await download(client([], { retries: 0 }), `${server.url}/blob`, { resumeAttempts: 1 });
    await expect(new Response(body).arrayBuffer()).rejects.toMatchObject({ code: "NETWORK" });
  });
});

describe("helpers", () => {
  it("parses Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("builds status errors with the method, URL and an excerpt", async () => {
    const server = await serve((_req, res) => res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found"));
    const res = await client().request(`${server.url}/v2/x`);
    const error = await statusError(res, "fetching manifest", "GET");
    expect(error.message).toBe(`fetching manifest: 404 Not Found (404 page not found): GET ${server.url}/v2/x`);
    expect(error.code).toBe("HTTP");
  });
});
