import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Logger, WkgEvent } from "@wasm-pkg/common";

export const FIXTURE_PATH = fileURLToPath(new URL("./fixtures/binary_wit.wasm", import.meta.url));
export const FIXTURE = new Uint8Array(readFileSync(FIXTURE_PATH));

const COMPONENT_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const MODULE_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/**
 * Bytes that start like a component (registries do not look further): random, so that
 * every call is new content, unless `seed` makes it reproducible.
 */
export function fakeComponent(size = 1024, seed?: string): Uint8Array {
  return withHeader(COMPONENT_HEADER, size, seed);
}

export function fakeModule(size = 1024, seed?: string): Uint8Array {
  return withHeader(MODULE_HEADER, size, seed);
}

function withHeader(header: number[], size: number, seed?: string): Uint8Array {
  const out = new Uint8Array(Math.max(size, header.length));
  out.set(header);
  if (seed === undefined) {
    out.set(randomBytes(out.length - header.length), header.length);
  } else {
    let block = createHash("sha256").update(seed).digest();
    for (let offset = header.length; offset < out.length; offset += block.length) {
      out.set(block.subarray(0, Math.min(block.length, out.length - offset)), offset);
      block = createHash("sha256").update(block).digest();
    }
  }
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A logger that keeps every event, for assertions. */
export function recordingLogger(): Logger & { events: WkgEvent[] } {
  const events: WkgEvent[] = [];
  const logger = ((event: WkgEvent) => {
    events.push(event);
  }) as Logger & { events: WkgEvent[] };
  logger.events = events;
  return logger;
}

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A unique repository name per test, so tests sharing a registry never collide. */
let counter = 0;
export function uniqueRepo(prefix = "wkg-test"): string {
  counter++;
  return `${prefix}/r${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Byte equality that stays fast on megabytes (vitest's deep equality walks every element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
