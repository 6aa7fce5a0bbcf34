import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type PackageEntry, PrivateKey, hashText, sha256 } from "@wasm-pkg/warg-backend/protocol";
import { RegistryCore } from "./core.js";
import { type ServerState, createHandler } from "./http.js";
import { MISBEHAVIOURS, type Misbehaviour } from "./misbehaviour.js";

export { RegistryCore } from "./core.js";
export type { CoreOptions, RecordState } from "./core.js";
export { MISBEHAVIOURS } from "./misbehaviour.js";
export type { Misbehaviour } from "./misbehaviour.js";
export { LogTree, mapProof, mapRoot } from "./merkle.js";
export { isHighS, toHighS } from "./signatures.js";

/** The upstream test keys (public test vectors, never real secrets). */
export const TEST_KEYS = {
  alice: "ecdsa-p256:I+UlDo0HxyBBFeelhPPWmD+LnklOpqZDkrFP5VduASk=",
  bob: "ecdsa-p256:2CV1EpLaSYEn4In4OAEDAj5O4Hzu8AFAxgHXuG310Ew=",
} as const;

export interface WargTestServerOptions {
  /** Operator signing key text (default Alice, as upstream's tests). */
  operatorKey?: string;
  /** Namespaces the operator defines (default `["test"]`). */
  namespaces?: string[];
  /** Namespaces the operator imports: namespace -> registry domain. */
  imports?: Record<string, string>;
  /** Other registries this one answers for when a request carries `Warg-Registry: <domain>`. */
  peers?: Record<string, { namespaces?: string[] }>;
  /** Reject uploads that are not Wasm (the reference content policy). Default false. */
  requireWasm?: boolean;
  /** Demand `Authorization: Bearer <token>` on every `v1/` request. */
  authToken?: string;
  /** Make every signature the server produces (checkpoints, operator and seeded records) high-S. */
  highS?: boolean;
  /** Serve the API under a path prefix, e.g. `/warg`, to prove clients keep the base path. */
  prefix?: string;
  /** Body of `.well-known/wasm-pkg/registry.json` (404 when absent). */
  wellKnown?: Record<string, unknown>;
}

export interface WargTestServer {
  /** Base URL of the registry, `http://127.0.0.1:<port>[prefix]`, no trailing slash. */
  url: string;
  /** `127.0.0.1:<port>`, usable as a wkg registry name. */
  registry: string;
  operatorKey: PrivateKey;
  /** The honest registry state (seed it with `commit`, inspect its logs). */
  core: RegistryCore;
  /** Registries answering for a `Warg-Registry` domain. */
  peer(domain: string): RegistryCore;
  /** Requests seen, in order. */
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  /** Start misbehaving in one way (null: be honest again). */
  misbehave(kind: Misbehaviour | null): void;
  /** Seed a release directly (signed by `key`, `init` added for a new package). */
  release(name: string, version: string, content: Uint8Array, key: PrivateKey): string;
  /** Seed a yank directly. */
  yank(name: string, version: string, key: PrivateKey): string;
  stop(): Promise<void>;
}

/** Start an in-memory Warg registry on 127.0.0.1 and a free port. */
export async function startWargServer(options: WargTestServerOptions = {}): Promise<WargTestServer> {
  const operatorKey = PrivateKey.parse(options.operatorKey ?? TEST_KEYS.alice);
  const coreOptions = {
    operatorKey,
    namespaces: options.namespaces ?? ["test"],
    imports: options.imports ?? {},
    requireWasm: options.requireWasm ?? false,
    highS: options.highS ?? false,
  };
  const honest = new RegistryCore(coreOptions);
  const peers = new Map<string, RegistryCore>();
  for (const [domain, peer] of Object.entries(options.peers ?? {})) {
    peers.set(domain, new RegistryCore({ ...coreOptions, namespaces: peer.namespaces ?? [], imports: {} }));
  }
  const prefix = (options.prefix ?? "").replace(/\/+$/, "");
  let origin = "";
  const state: ServerState = {
    active: honest,
    honest,
    peers,
    misbehaviour: null,
    operatorKey,
    prefix,
    base: () => `${origin}${prefix}`,
    requests: [],
    ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
    ...(options.wellKnown === undefined ? {} : { wellKnown: options.wellKnown }),
  };
  const sockets = new Set<Socket>();
  const server = createServer(createHandler(state));
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}${prefix}`,
    registry: `127.0.0.1:${port}`,
    operatorKey,
    core: honest,
    peer(domain) {
      const core = peers.get(domain);
      if (!core) throw new Error(`no peer ${domain}`);
      return core;
    },
    requests: state.requests,
    misbehave(kind) {
      if (kind !== null && !MISBEHAVIOURS.includes(kind)) throw new Error(`unknown misbehaviour ${kind}`);
      state.misbehaviour = kind;
      state.active = kind === "fork" ? honest.fork() : honest;
    },
    release(name, version, content, key) {
      const digest = hashText(sha256(content));
      const entries: PackageEntry[] = [{ kind: "release", version, content: digest }];
      return honest.commit(name, entries, key, [content]);
    },
    yank(name, version, key) {
      return honest.commit(name, [{ kind: "yank", version }], key);
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
