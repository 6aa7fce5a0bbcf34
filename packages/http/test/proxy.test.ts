import { isWkgError } from "@wasm-pkg/common";
import {
  type TestServer,
  makeSelfSignedCert,
  readBody,
  startForwardProxy,
  startServer,
  tempDir,
  cleanupTempDirs,
} from "@wasm-pkg/test-utils";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../src/index.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(cleanupTempDirs);

async function origin(): Promise<TestServer> {
  const server = await startServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`hello from ${req.url}`);
  });
  closers.push(() => server.close());
  return server;
}

describe("proxies from the environment (undici EnvHttpProxyAgent)", () => {
  it("sends requests through HTTP_PROXY given in an injected env", async () => {
    const target = await origin();
    const proxy = await startForwardProxy();
    closers.push(() => proxy.close());
    const http = createHttpClient({ env: { HTTP_PROXY: proxy.url } });
    const response = await http.request(`${target.url}/v2/`);
    expect(await response.text()).toBe("hello from /v2/");
    expect(proxy.targets).toEqual([target.authority]);
    await http.close();
  });

  it("honours NO_PROXY, and does not read process.env when an env is given", async () => {
    const target = await origin();
    const proxy = await startForwardProxy();
    closers.push(() => proxy.close());
    const bypass = createHttpClient({ env: { HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" } });
    expect((await bypass.request(`${target.url}/a`)).status).toBe(200);
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = proxy.url;
    try {
      const none = createHttpClient({ env: {} });
      expect((await none.request(`${target.url}/b`)).status).toBe(200);
      await none.close();
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
    expect(proxy.targets).toEqual([]);
    await bypass.close();
  });

  it("tunnels https through HTTPS_PROXY with CONNECT, trusting an extra CA", async () => {
    const dir = await tempDir();
    const cert = await makeSelfSignedCert(dir);
    const server = createServer({ key: cert.key, cert: cert.cert }, (_req, res) => res.end("secure"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const proxy = await startForwardProxy();
    closers.push(() => proxy.close());
    const http = createHttpClient({ env: { HTTPS_PROXY: proxy.url }, ca: [cert.cert] });
    const response = await http.request(`https://127.0.0.1:${port}/`);
    expect(await response.text()).toBe("secure");
    expect(proxy.targets).toEqual([`127.0.0.1:${port}`]);
    await http.close();
  });
});

describe("large request bodies", () => {
  it("reports a redirect of a streamed upload instead of following it", async () => {
    const server = await startServer(async (req, res) => {
      await readBody(req);
      res.writeHead(307, { location: "/elsewhere" });
      res.end();
    });
    closers.push(() => server.close());
    const http = createHttpClient({});
    const error = await http
      .request(`${server.url}/upload`, { method: "PUT", body: new Blob([new Uint8Array(1000)]), retry: false })
      .catch((e: unknown) => e);
    expect(isWkgError(error, "HTTP")).toBe(true);
    expect((error as Error).message).toContain("redirect");
    await http.close();
  });

  it("sends a Blob body with its length", async () => {
    let seen: { length: string | undefined; size: number } | undefined;
    const server = await startServer(async (req, res) => {
      const body = await readBody(req);
      seen = { length: req.headers["content-length"], size: body.length };
      res.end();
    });
    closers.push(() => server.close());
    const http = createHttpClient({});
    const response = await http.request(`${server.url}/upload`, { method: "PUT", body: new Blob([new Uint8Array(123_456)]) });
    expect(response.status).toBe(200);
    expect(seen).toEqual({ length: "123456", size: 123_456 });
    await http.close();
  });
});
