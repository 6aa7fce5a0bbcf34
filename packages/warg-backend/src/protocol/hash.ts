import { createHash } from "node:crypto";
import { malformed, toHex, fromHex } from "./bytes.js";

/**
 * Warg's `AnyHash` text form, `sha256:<64 lowercase hex>`: log ids, record ids, roots and
 * content digests. Unlike the reference we insist on the length everywhere, and like it we
 * reject uppercase hex (a second spelling of the same hash would be a second identity).
 */
const ANY_HASH = /^sha256:[0-9a-f]{64}$/;

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

export function hashText(digest: Uint8Array): string {
  return `sha256:${toHex(digest)}`;
}

export function isAnyHash(text: unknown): text is string {
  return typeof text === "string" && ANY_HASH.test(text);
}

/** Parse `sha256:<hex>` to its 32 raw bytes; `what` names the field for the error. */
export function parseAnyHash(text: unknown, what: string): Uint8Array {
  if (!isAnyHash(text)) {
    const shown = typeof text === "string" ? JSON.stringify(text.length > 90 ? `${text.slice(0, 87)}...` : text) : String(text);
    throw malformed(`${what} is not a sha256 hash (sha256:<64 lowercase hex digits>): ${shown}`);
  }
  return fromHex(text.slice("sha256:".length));
}

/** Validate and return the text form unchanged. */
export function checkAnyHash(text: unknown, what: string): string {
  parseAnyHash(text, what);
  return text as string;
}
