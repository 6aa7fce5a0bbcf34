import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type FaultProxy, type TestServer, seededRandom, startFaultProxy, startServer } from "../src/index.js";

const data = Buffer.alloc(200_000, 1);
data.write("payload-end", data.length - 11);
const closers: Array<TestServer | FaultProxy> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
});

async function setup(rules: Parameters<typeof startFaultProxy>[0]["rules"], seed = 1) {
  const origin = await startServer((req, res) => {
    if (req.url === "/blob") res.writeHead(200, { "content-length": data.length }).end(data);
    else res.end(`host=${req.headers.host}`);
  });
  const proxy = await startFaultProxy({ target: origin.url, rules, seed });
  closers.push(origin, proxy);
  return { origin, proxy };
}

describe("fault proxy", () => {
  it("forwards untouched when no rule applies, keeping the Host header", async () => {
    const { proxy } = await setup([]);
    const body = Buffer.from(await (await fetch(`${proxy.url}/blob`)).arrayBuffer());
    expect(body.equals(data)).toBe(true);
    expect(await (await fetch(`${proxy.url}/x`)).text()).toBe(`host=${proxy.authority}`);
  });

  it("injects statuses a given number of times", async () => {
    const { proxy } = await setup([{ fault: { kind: "status", status: 503 }, times: 2 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${proxy.url}/x`)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it("truncates a body so that it ends cleanly but short", async () => {
    const { proxy } = await setup([{ fault: { kind: "truncate", bytes: 1000 } }]);
    const body = Buffer.from(await (await fetch(`${proxy.url}/blob`)).arrayBuffer());
    expect(body.length).toBe(1000);
  });

  it("drops the connection mid-body", async () => {
    const { proxy } = await setup([{ fault: { kind: "drop", afterBytes: 5000 } }]);
    const res = await fetch(`${proxy.url}/blob`);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  it("corrupts one byte, which only a digest check can see", async () => {
    const { proxy } = await setup([{ fault: { kind: "corrupt", at: 123 } }]);
    const body = Buffer.from(await (await fetch(`${proxy.url}/blob`)).arrayBuffer());
    expect(body.length).toBe(data.length);
    const hash = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(hash(body)).not.toBe(hash(data));
  });

  it("draws random faults reproducibly from a seed", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });
});
