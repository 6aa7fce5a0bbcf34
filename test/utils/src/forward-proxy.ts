import type { IncomingMessage, ServerResponse } from "node:http";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { type TestServer, startServer } from "./server.js";

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
