import { logError } from "./log-error.js";
import type { PublicKey } from "./keys.js";
import { signingMessage } from "./keys.js";
import { type Envelope, type LogRecord, type Timestamp, compareTime } from "./records.js";

/** The last valid record of a log. */
export interface Head {
  recordId: string;
  timestamp: Timestamp;
}

/** Chain, protocol version and clock rules every record of every log must pass. */
export function checkHeader(head: Head | undefined, record: LogRecord<unknown>): void {
  if (!head && record.prev !== undefined) {
    throw logError("PreviousHashOnFirstRecord", "the first record of a log must not name a previous record");
  }
  if (head && record.prev === undefined) {
    throw logError("NoPreviousHashAfterInit", `record does not name its previous record (expected ${head.recordId})`);
  }
  if (head && record.prev !== head.recordId) {
    throw logError(
      "RecordHashDoesNotMatch",
      `previous record hash does not match: the record names ${record.prev}, the log head is ${head.recordId}`,
    );
  }
  if (record.version !== 0) throw logError("ProtocolVersionNotAllowed", `protocol version ${record.version} is not allowed (only 0)`);
  if (head && compareTime(record.time, head.timestamp) < 0) {
    throw logError("TimestampLowerThanPrevious", "record timestamp is lower than the previous record's");
  }
}

/** Look up the signer among the log's keys and check the envelope's signature. */
export function checkSignature(keys: ReadonlyMap<string, PublicKey>, envelope: Envelope, prefix: string): void {
  const key = keys.get(envelope.keyId);
  if (!key) throw logError("KeyIDNotRecognized", `record is signed by the unknown key ${envelope.keyId}`);
  if (!key.verify(signingMessage(prefix, envelope.contentBytes), envelope.signature)) {
    throw logError("SignatureError", `record signature by key ${envelope.keyId} does not verify`);
  }
}

export function permissionList<P extends string>(map: ReadonlyMap<string, ReadonlySet<P>>): Record<string, P[]> {
  const out: Record<string, P[]> = {};
  for (const [keyId, set] of map) out[keyId] = [...set].sort();
  return out;
}
