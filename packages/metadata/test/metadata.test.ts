import { afterEach, describe, expect, it } from "vitest";
import type { WkgEvent } from "@wasm-pkg/common";
import { createHttpClient } from "@wasm-pkg/http";
import { type TestServer, startServer } from "@wasm-pkg/test-utils";
import {
  configuredProtocols,
  fetchRegistryMetadata,
  metadataUrl,
  ociMetadata,
  parseRegistryMetadata,
  pickProtocol,
  preferredProtocol,
  wargMetadata,
} from "../src/index.js";

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function registryServing(handler: Parameters<typeof startServer>[0]) {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

function json(body: unknown) {
  return (_req: unknown, res: import("node:http").ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
}

function setup(events: WkgEvent[] = []) {
  const logger = (e: WkgEvent) => events.push(e);
  return { http: createHttpClient({ logger, retries: 0 }), logger, events };
}

describe("parseRegistryMetadata", () => {
  it("reads the current shape", () => {
    const meta = parseRegistryMetadata({
      preferredProtocol: "oci",
      oci: { registry: "ghcr.io", namespacePrefix: "webassembly/" },
      warg: { url: "https://warg.example" },
    });
    expect(preferredProtocol(meta)).toBe("oci");
    expect(ociMetadata(meta)).toEqual({ registry: "ghcr.io", namespacePrefix: "webassembly/" });
    expect(wargMetadata(meta)).toEqual({ url: "https://warg.example" });
    expect(configuredProtocols(meta)).toEqual(["oci", "warg"]);
  });

  it("folds legacy keys into their blocks, legacy winning", () => {
    const meta = parseRegistryMetadata({
      ociRegistry: "ghcr.io",
      ociNamespacePrefix: "x/",
      oci: { registry: "other.io" },
      wargUrl: "https://w.example",
    });
    expect(ociMetadata(meta)).toEqual({ registry: "ghcr.io", namespacePrefix: "x/" });
    expect(wargMetadata(meta)).toEqual({ url: "https://w.example" });
  });

  it("infers the protocol from the only block present", () => {
    expect(preferredProtocol(parseRegistryMetadata({ warg: { url: "https://w.example" } }))).toBe("warg");
    expect(preferredProtocol(parseRegistryMetadata({ ociRegistry: "ghcr.io" }))).toBe("oci");
    expect(preferredProtocol(parseRegistryMetadata({ oci: {}, warg: {} }))).toBeUndefined();
  });

  it("ignores unknown scalar keys instead of failing the whole document", () => {
    expect(ociMetadata(parseRegistryMetadata({ comment: "hi", ociRegistry: "ghcr.io" }))).toEqual({ registry: "ghcr.io" });
  });

  it.each([
    [[], /expected a JSON object/],
    [{ preferredProtocol: 3 }, /preferredProtocol/],
    [{ oci: { registry: "https://ghcr.io" } }, /oci\.registry.*scheme/],
    [{ oci: { namespacePrefix: 1 } }, /namespacePrefix/],
    [{ warg: { url: "ftp://x" } }, /warg\.url/],
  ])("rejects bad values %#", (doc, message) => {
    expect(() => parseRegistryMetadata(doc, "r.json")).toThrow(message);
  });
});

describe("pickProtocol", () => {
  const meta = parseRegistryMetadata({ preferredProtocol: "warg", warg: { url: "https://w.example" }, oci: {} });
  it("prefers config, then metadata, then the only block, then oci", () => {
    expect(pickProtocol("local", meta)).toBe("local");
    expect(pickProtocol(undefined, meta)).toBe("warg");
    expect(pickProtocol(undefined, parseRegistryMetadata({ warg: { url: "https://w.example" } }))).toBe("warg");
    expect(pickProtocol(undefined, parseRegistryMetadata({}))).toBe("oci");
  });

  it("never lets metadata select local", () => {
    expect(() => pickProtocol(undefined, parseRegistryMetadata({ preferredProtocol: "local" }), "evil.example")).toThrow(
      /evil\.example selects the 'local' protocol/,
    );
  });
});

describe("metadataUrl", () => {
  it("uses https except for loopback or when told", () => {
    expect(metadataUrl("wasi.dev")).toBe("https://wasi.dev/.well-known/wasm-pkg/registry.json");
    expect(metadataUrl("localhost:5000")).toBe("http://localhost:5000/.well-known/wasm-pkg/registry.json");
    expect(metadataUrl("127.0.0.1:1")).toBe("http://127.0.0.1:1/.well-known/wasm-pkg/registry.json");
    expect(metadataUrl("[::1]:8")).toBe("http://[::1]:8/.well-known/wasm-pkg/registry.json");
    expect(metadataUrl("r.example", true)).toBe("http://r.example/.well-known/wasm-pkg/registry.json");
  });
});

describe("fetchRegistryMetadata against a real server", () => {
  it("fetches the current shape from the well-known path", async () => {
    const server = await registryServing(json({ preferredProtocol: "oci", oci: { registry: "ghcr.io", namespacePrefix: "webassembly/" } }));
    const { http } = setup();
    const got = await fetchRegistryMetadata(server.authority, { http });
    expect(got.outcome).toBe("fetched");
    expect(ociMetadata(got.metadata)).toEqual({ registry: "ghcr.io", namespacePrefix: "webassembly/" });
    expect(server.requests[0]?.path).toBe("/.well-known/wasm-pkg/registry.json");
  });

  it("fetches the legacy shape", async () => {
    const server = await registryServing(json({ ociRegistry: "ghcr.io", ociNamespacePrefix: "bytecodealliance/" }));
    const got = await fetchRegistryMetadata(server.authority, setup());
    expect(ociMetadata(got.metadata)).toEqual({ registry: "ghcr.io", namespacePrefix: "bytecodealliance/" });
  });

  it("falls back to defaults on 404 and says why at debug level", async () => {
    const server = await registryServing((_req, res) => res.writeHead(404).end());
    const { http, logger, events } = setup();
    const got = await fetchRegistryMetadata(server.authority, { http, logger });
    expect(got.outcome).toBe("default");
    expect(got.metadata.protocols).toEqual({});
    expect(events.find((e) => e.type === "debug")).toMatchObject({ message: expect.stringContaining("answered 404") });
    expect(events.some((e) => e.type === "warn")).toBe(false);
  });

  it("falls back with a warning on 500", async () => {
    const server = await registryServing((_req, res) => res.writeHead(500).end("boom"));
    const { http, logger, events } = setup();
    const got = await fetchRegistryMetadata(server.authority, { http, logger });
    expect(got.outcome).toBe("default");
    expect(events.find((e) => e.type === "warn")).toMatchObject({ message: expect.stringContaining("answered 500") });
  });

  it("falls back with a warning on invalid JSON", async () => {
    const server = await registryServing((_req, res) => res.end("{ not json"));
    const { http, logger, events } = setup();
    const got = await fetchRegistryMetadata(server.authority, { http, logger });
    expect(got.reason).toMatch(/invalid JSON/);
    expect(events.find((e) => e.type === "warn")).toBeDefined();
  });

  it("times out a slow server", async () => {
    const server = await registryServing(() => {
      /* never answers */
    });
    const { http, logger, events } = setup();
    const started = Date.now();
    const got = await fetchRegistryMetadata(server.authority, { http, logger, timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(got.reason).toMatch(/timed out after 200 ms/);
    expect(events.find((e) => e.type === "warn")).toBeDefined();
  });

  it("follows a same-host redirect quietly", async () => {
    const server = await registryServing((req, res) => {
      if (req.url?.startsWith("/.well-known")) res.writeHead(301, { location: "/meta.json" }).end();
      else json({ ociRegistry: "ghcr.io" })(req, res);
    });
    const { http, logger, events } = setup();
    const got = await fetchRegistryMetadata(server.authority, { http, logger });
    expect(ociMetadata(got.metadata).registry).toBe("ghcr.io");
    expect(events.some((e) => e.type === "warn")).toBe(false);
  });

  it("warns about a redirect to another host", async () => {
    const other = await registryServing(json({ ociRegistry: "ghcr.io" }));
    const server = await registryServing((_req, res) => res.writeHead(302, { location: `${other.url}/registry.json` }).end());
    const { http, logger, events } = setup();
    await fetchRegistryMetadata(server.authority, { http, logger });
    expect(events.find((e) => e.type === "warn")).toMatchObject({ message: expect.stringContaining("redirected") });
  });
});
