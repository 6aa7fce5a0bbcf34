import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type FaultRule, type TestServer, scheduledFaults, seededRandom, startFaultProxy, startServer } from "../src/index.js";

const data = Buffer.alloc(200_000, 1);
data.write("payload-end", data.length - 11);
const closers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
});

async function setup(rule?: FaultRule, latencyMs?: number) {
  const origin = await startServer((req, res) => {
    if (req.url === "/blob") res.writeHead(200, { "content-length": data.length }).end(data);
    else res.end(`host=${req.headers.host}`);
  });
  const proxy = await startFaultProxy(origin.url, rule, latencyMs === undefined ? {} : { latencyMs });
  closers.push(origin, proxy);
  return { origin, proxy };
}

const hash = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("fault proxy", () => {
  it("forwards untouched when no rule applies, keeping the Host header", async () => {
    const { proxy } = await setup();
    const body = Buffer.from(await (await fetch(`${proxy.url}/blob`)).arrayBuffer());
    expect(body.equals(data)).toBe(true);
    expect(await (await fetch(`${proxy.url}/x`)).text()).toBe(`host=${proxy.authority}`);
  });

  it("answers with injected statuses on a seeded schedule, a given number of times", async () => {
    const { proxy } = await setup(scheduledFaults(1, [{ fault: { respond: { status: 503 } }, times: 2 }]));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${proxy.url}/x`)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(proxy.faults).toEqual({ respond: 2 });
  });

  it("truncates a body so that it ends cleanly but short", async () => {
    const { proxy } = await setup(() => ({ truncateAfter: 1000 }));
    const body = Buffer.from(await (await fetch(`${proxy.url}/blob`)).arrayBuffer());
    expect(body.length).toBe(1000);
  });

  it("drops the connection mid-body", async () => {
    const { proxy } = await setup(() => ({ dropAfter: 5000 }));
    const res = await fetch(`${proxy.url}/blob`);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  it("corrupts one byte at an offset, which only a digest check can see", async () => {
    const { proxy } = await setup(() => ({ corrupt: 123_456 }));
    const body = Buffer.from(await (await fetch(`${proxy.url}/blob`)).arrayBuffer());
    expect(body.length).toBe(data.length);
    expect(body[123_456]).toBe((data[123_456] as number) ^ 0xff);
    expect(hash(body)).not.toBe(hash(data));
  });

  it("adds latency to every request", async () => {
    const { proxy } = await setup(undefined, 60);
    const started = performance.now();
    await (await fetch(`${proxy.url}/x`)).text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it("draws the same schedule from the same seed", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
    const req = { method: "GET", url: "/x" } as import("node:http").IncomingMessage;
    const pick = (seed: number) => {
      const rule = scheduledFaults(seed, [{ fault: { respond: { status: 500 } }, rate: 0.5 }]);
      return Array.from({ length: 20 }, () => (rule(req) ? 1 : 0)).join("");
    };
    expect(pick(7)).toBe(pick(7));
    expect(pick(7)).not.toBe(pick(8));
  });
});
