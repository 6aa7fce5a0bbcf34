import { WkgError } from "@wasm-pkg/common";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BackendContext, WkgEvent } from "@wasm-pkg/common";
import { type WargBackend, type WargBackendOptions, createWargBackend } from "@wasm-pkg/warg-backend";
import { tempDir } from "@wasm-pkg/test-utils";
import type { WargTestServer } from "../src/index.js";

export interface Client {
  backend: WargBackend;
  events: WkgEvent[];
  dir: string;
}

/** A backend for `server` with its own temp home (config, cache, trust state) unless `dir` is shared. */
export async function client(
  server: WargTestServer,
  table: Record<string, unknown> = {},
  opts: { dir?: string; metadata?: unknown; options?: WargBackendOptions; registry?: string } = {},
): Promise<Client> {
  const dir = opts.dir ?? (await tempDir("wkg-warg-"));
  await mkdir(join(dir, "project"), { recursive: true });
  const events: WkgEvent[] = [];
  const ctx: BackendContext = {
    registry: opts.registry ?? server.registry,
    backendConfig: { state_dir: join(dir, "state"), ...table },
    protocolMetadata: opts.metadata,
    logger: (event) => events.push(event),
    transport: { retries: 0 },
    env: { HOME: dir, XDG_CONFIG_HOME: join(dir, "config"), XDG_CACHE_HOME: join(dir, "cache") },
    cwd: join(dir, "project"),
  };
  const backend = await createWargBackend(ctx, { pollIntervalMs: 20, publishTimeoutMs: 10_000, ...opts.options });
  return { backend, events, dir };
}

export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A tiny Wasm component header plus a payload, so content policies accept it. */
export function component(payload: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, ...Buffer.from(payload)]);
}

/** The WkgError a promise rejects with; fails the test when it resolves or throws something else. */
export async function failure(promise: Promise<unknown>): Promise<WkgError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WkgError) return error;
    throw error;
  }
  throw new Error("expected a failure (a WkgError), but the call succeeded");
}
