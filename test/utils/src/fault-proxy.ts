import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import { type TestServer, startServer } from "./server.js";

/**
 * What a fault proxy does with one request instead of (or while) forwarding it:
 * - `respond`: answer by itself (a 503, a 429 with Retry-After, ...);
 * - `dropAfter`: forward, then cut the connection after that many body bytes (0: before the
 *   response starts, after the server has handled the request);
 * - `stallAfter`: forward that many body bytes, then send nothing more (the connection stays open);
 * - `corrupt`: forward, flipping one byte of the body (the length stays right);
 * - `redirect`: answer with a redirect (307 by default) to another URL.
 */
export type Fault =
  | { respond: { status: number; headers?: Record<string, string>; body?: string } }
  | { dropAfter: number }
  | { stallAfter: number }
  | { corrupt: true }
  | { redirect: string; status?: number };

export type FaultRule = (req: IncomingMessage) => Fault | undefined;

/**
 * A reverse proxy on 127.0.0.1 in front of a real server (the test registry), for the
 * faults a healthy server never produces: bodies that break off, wrong bytes, transient
 * 5xx/429, redirects to other origins. The Host header is passed through, so the
 * registry's absolute `Location` URLs point back at the proxy.
 */
export async function startFaultProxy(target: string, rule: FaultRule = () => undefined): Promise<TestServer> {
  const base = new URL(target);
  const send = base.protocol === "https:" ? httpsRequest : httpRequest;
  return startServer((req, res) => {
    const fault = rule(req);
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
          res.writeHead(up.statusCode ?? 502, up.headers);
          let sent = 0;
          let flipped = false;
          up.on("data", (chunk: Buffer) => {
            let out = chunk;
            if (fault && "corrupt" in fault && !flipped && chunk.length > 0) {
              out = Buffer.from(chunk);
              out[0] = (out[0] as number) ^ 0xff;
              flipped = true;
            }
            if (fault && "dropAfter" in fault) {
              const room = fault.dropAfter - sent;
              if (room <= out.length) {
                res.write(out.subarray(0, Math.max(0, room)), () => res.socket?.destroy());
                up.destroy();
                resolve();
                return;
              }
            }
            if (fault && "stallAfter" in fault) {
              const room = fault.stallAfter - sent;
              if (room <= out.length) {
                res.write(out.subarray(0, Math.max(0, room)));
                up.pause();
                sent = fault.stallAfter;
                // Nothing more is sent; the client's abort or the server's close() ends it.
                res.on("close", () => {
                  up.destroy();
                  resolve();
                });
                return;
              }
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
}

/** A forward proxy (CONNECT tunnels and absolute-form requests) that records the targets it served. */
export interface ForwardProxy extends TestServer {
  /** `host:port` of every target, in order. */
  targets: string[];
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const targets: string[] = [];
  const server = await startServer((req: IncomingMessage, res: ServerResponse) => {
    // Absolute-form request: `GET http://host/path HTTP/1.1`.
    const url = new URL(req.url ?? "/");
    targets.push(url.host);
    return new Promise<void>((resolve) => {
      const upstream = httpRequest(url, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on("end", resolve);
      });
      upstream.on("error", (error) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
        resolve();
      });
      req.pipe(upstream);
    });
  });
  server.server.on("connect", (req: IncomingMessage, socket, head: Buffer) => {
    const [host, port] = (req.url ?? "").split(":");
    targets.push(req.url ?? "");
    server.requests.push({ method: "CONNECT", path: req.url ?? "", headers: req.headers });
    const upstream = connect(Number(port), host as string, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  return Object.assign(server, { targets });
}
