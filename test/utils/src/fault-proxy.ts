import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { type TestServer, startServer } from "./server.js";

/**
 * What a fault proxy does with one request instead of (or while) forwarding it:
 * - `respond`: answer by itself (a 503, a 429 with Retry-After, ...);
 * - `dropAfter`: forward, then cut the connection after that many body bytes (0: before the
 *   response starts, after the server has handled the request);
 * - `stallAfter`: forward that many body bytes, then send nothing more (the connection stays open);
 * - `truncateAfter`: forward that many body bytes, then end cleanly with no length to give it
 *   away — only a digest check can tell;
 * - `corrupt`: forward, flipping one byte of the body (`true`: the first; a number: that offset);
 * - `redirect`: answer with a redirect (307 by default) to another URL;
 * - `delay`: wait that many ms, then forward untouched.
 */
export type Fault =
  | { respond: { status: number; headers?: Record<string, string>; body?: string } }
  | { dropAfter: number }
  | { stallAfter: number }
  | { truncateAfter: number }
  | { corrupt: true | number }
  | { redirect: string; status?: number }
  | { delay: number };

export type FaultRule = (req: IncomingMessage) => Fault | undefined;

export interface FaultProxy extends TestServer {
  /** Faults applied, by kind (`respond`, `dropAfter`, ...). */
  faults: Record<string, number>;
}

/**
 * A reverse proxy on 127.0.0.1 in front of a real server (the test registry), for the
 * faults a healthy server never produces: bodies that break off or end short, wrong bytes,
 * transient 5xx/429, stalls, redirects to other origins. The Host header is passed through,
 * so the registry's absolute `Location` URLs point back at the proxy.
 */
export async function startFaultProxy(
  target: string,
  rule: FaultRule = () => undefined,
  options: { latencyMs?: number } = {},
): Promise<FaultProxy> {
  const base = new URL(target);
  const send = base.protocol === "https:" ? httpsRequest : httpRequest;
  const faults: Record<string, number> = {};
  const server = await startServer(async (req, res) => {
    const fault = rule(req);
    if (fault) {
      const kind = Object.keys(fault).find((k) => k !== "status") as string;
      faults[kind] = (faults[kind] ?? 0) + 1;
    }
    const wait = (options.latencyMs ?? 0) + (fault && "delay" in fault ? fault.delay : 0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (fault && "respond" in fault) {
      res.writeHead(fault.respond.status, fault.respond.headers ?? {});
      res.end(fault.respond.body ?? "");
      req.resume();
      return;
    }
    if (fault && "redirect" in fault) {
      res.writeHead(fault.status ?? 307, { location: fault.redirect, "content-length": "0" });
      res.end();
      req.resume();
      return;
    }
    return new Promise<void>((resolve) => {
      const upstream = send(
        new URL(req.url ?? "/", base),
        { method: req.method, headers: req.headers as IncomingHttpHeaders, rejectUnauthorized: false },
        (up) => {
          if (fault && "dropAfter" in fault && fault.dropAfter === 0) {
            // Cut before any response byte: the client sees the connection die.
            up.destroy();
            res.socket?.destroy();
            resolve();
            return;
          }
          const headers = { ...up.headers };
          if (fault && "truncateAfter" in fault) delete headers["content-length"];
          res.writeHead(up.statusCode ?? 502, headers);
          const flipAt = fault && "corrupt" in fault ? (fault.corrupt === true ? 0 : fault.corrupt) : -1;
          let sent = 0;
          up.on("data", (chunk: Buffer) => {
            let out = chunk;
            if (flipAt >= sent && flipAt < sent + out.length) {
              out = Buffer.from(chunk);
              out[flipAt - sent] = (out[flipAt - sent] as number) ^ 0xff;
            }
            const limit =
              fault && "dropAfter" in fault ? fault.dropAfter : fault && "truncateAfter" in fault ? fault.truncateAfter : undefined;
            if (limit !== undefined && limit - sent <= out.length) {
              const part = out.subarray(0, Math.max(0, limit - sent));
              up.destroy();
              if (fault && "dropAfter" in fault) res.write(part, () => res.socket?.destroy());
              else res.end(part);
              resolve();
              return;
            }
            if (fault && "stallAfter" in fault && fault.stallAfter - sent <= out.length) {
              res.write(out.subarray(0, Math.max(0, fault.stallAfter - sent)));
              up.pause();
              sent = fault.stallAfter;
              // Nothing more is sent; the client's abort or the server's close() ends it.
              res.on("close", () => {
                up.destroy();
                resolve();
              });
              return;
            }
            sent += out.length;
            res.write(out);
          });
          up.on("end", () => {
            res.end();
            resolve();
          });
          up.on("error", () => {
            res.socket?.destroy();
            resolve();
          });
        },
      );
      upstream.on("error", (error) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(String(error));
        resolve();
      });
      req.pipe(upstream);
    });
  });
  return Object.assign(server, { faults });
}

export interface ScheduledFault {
  fault: Fault;
  /** Which requests it may hit (default: all). */
  match?: (req: { method: string; path: string }) => boolean;
  /** Probability per matching request (default 1), drawn from the seeded generator. */
  rate?: number;
  /** At most this many times (default: unlimited). */
  times?: number;
}

/**
 * A fault rule drawn at random from a seeded generator, so a failing run can be replayed
 * exactly: the first scheduled fault that matches, has budget left and wins its draw applies.
 */
export function scheduledFaults(seed: number, schedule: ScheduledFault[]): FaultRule {
  const random = seededRandom(seed);
  const used = schedule.map(() => 0);
  return (req) => {
    for (const [i, entry] of schedule.entries()) {
      if (entry.match && !entry.match({ method: req.method ?? "GET", path: req.url ?? "/" })) continue;
      if (entry.times !== undefined && (used[i] as number) >= entry.times) continue;
      if (entry.rate !== undefined && random() >= entry.rate) continue;
      used[i] = (used[i] as number) + 1;
      return entry.fault;
    }
    return undefined;
  };
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
