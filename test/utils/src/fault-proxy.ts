import { type IncomingMessage, type ServerResponse, createServer, request as httpRequest } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One thing that can go wrong with a request. */
export type Fault =
  | { kind: "status"; status: number; retryAfter?: number }
  | { kind: "drop"; afterBytes: number }
  | { kind: "truncate"; bytes: number }
  | { kind: "corrupt"; at: number }
  | { kind: "stall"; ms: number }
  | { kind: "latency"; ms: number };

export interface FaultRule {
  /** Which requests the rule applies to (default: all). */
  match?: (req: { method: string; path: string }) => boolean;
  fault: Fault;
  /** Apply to this many matching requests, then stop (default: unlimited). */
  times?: number;
  /** Probability per matching request, drawn from the seeded generator (default 1). */
  rate?: number;
}

export interface FaultProxyOptions {
  /** `http://127.0.0.1:PORT` of the real server behind the proxy. */
  target: string;
  rules?: FaultRule[];
  /** Seed for the random draws, so a failing run can be replayed exactly. */
  seed?: number;
  /** Latency added to every request (ms), e.g. to make concurrency visible. */
  latencyMs?: number;
}

export interface FaultProxy {
  url: string;
  authority: string;
  port: number;
  /** Faults applied so far, by kind; requests forwarded. */
  stats: { requests: number; faults: Record<string, number> };
  setRules(rules: FaultRule[]): void;
  close(): Promise<void>;
}

/** mulberry32: tiny, fast, good enough to make fault schedules reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A loopback HTTP proxy in front of a real server that misbehaves on purpose: error statuses,
 * connections dropped mid-body, clean-looking truncated bodies, corrupted bytes, stalls and
 * latency. The Host header is passed through, so servers that build absolute URLs (an OCI
 * registry's upload Location) keep pointing clients at the proxy.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = seededRandom(options.seed ?? 1);
  let rules = (options.rules ?? []).map((r) => ({ ...r, used: 0 }));
  const stats = { requests: 0, faults: {} as Record<string, number> };
  const sockets = new Set<Socket>();

  const pick = (method: string, path: string): Fault[] => {
    const chosen: Fault[] = [];
    for (const rule of rules) {
      if (rule.match && !rule.match({ method, path })) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (rule.rate !== undefined && random() >= rule.rate) continue;
      rule.used++;
      chosen.push(rule.fault);
      stats.faults[rule.fault.kind] = (stats.faults[rule.fault.kind] ?? 0) + 1;
    }
    return chosen;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const faults = pick(req.method ?? "GET", req.url ?? "/");
    const delay = (options.latencyMs ?? 0) + faults.reduce((n, f) => n + (f.kind === "latency" || f.kind === "stall" ? f.ms : 0), 0);
    const go = () => forward(req, res, faults);
    if (delay > 0) setTimeout(go, delay);
    else go();
  });

  const forward = (req: IncomingMessage, res: ServerResponse, faults: Fault[]) => {
    const status = faults.find((f) => f.kind === "status") as Extract<Fault, { kind: "status" }> | undefined;
    if (status) {
      req.resume();
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (status.retryAfter !== undefined) headers["retry-after"] = String(status.retryAfter);
      res.writeHead(status.status, headers).end(JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: "injected fault" }] }));
      return;
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => relay(req, res, up, faults),
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  };

  const relay = (req: IncomingMessage, res: ServerResponse, up: IncomingMessage, faults: Fault[]) => {
    const drop = faults.find((f) => f.kind === "drop") as Extract<Fault, { kind: "drop" }> | undefined;
    const truncate = faults.find((f) => f.kind === "truncate") as Extract<Fault, { kind: "truncate" }> | undefined;
    const corrupt = faults.find((f) => f.kind === "corrupt") as Extract<Fault, { kind: "corrupt" }> | undefined;
    const headers = { ...up.headers };
    // A truncated body must look complete: no length to give it away, a clean end.
    if (truncate) delete headers["content-length"];
    res.writeHead(up.statusCode ?? 502, headers);
    let sent = 0;
    up.on("data", (chunk: Buffer) => {
      let data = chunk;
      if (corrupt && corrupt.at >= sent && corrupt.at < sent + data.length) {
        data = Buffer.from(data);
        const i = corrupt.at - sent;
        data[i] = (data[i] as number) ^ 0xff;
      }
      const limit = drop?.afterBytes ?? truncate?.bytes;
      if (limit !== undefined && sent + data.length >= limit) {
        const part = data.subarray(0, Math.max(0, limit - sent));
        sent += part.length;
        up.destroy();
        if (drop) res.write(part, () => req.socket.destroy());
        else res.end(part);
        return;
      }
      sent += data.length;
      res.write(data);
    });
    up.on("end", () => res.end());
    up.on("error", () => res.destroy());
  };

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    authority: `127.0.0.1:${port}`,
    port,
    stats,
    setRules(next) {
      rules = next.map((r) => ({ ...r, used: 0 }));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
