import { isLabel } from "@wasm-pkg/common";
import { logError } from "./log-error.js";
import { type Head, checkHeader, checkSignature, permissionList } from "./log-header.js";
import type { PublicKey } from "./keys.js";
import {
  type Envelope,
  type OperatorEntry,
  type OperatorPermission,
  type OperatorRecord,
  SIGNATURE_PREFIX,
  decodeOperatorRecord,
  recordId,
} from "./records.js";

export type NamespaceState = { state: "defined" } | { state: "imported"; registry: string };

const ALL: OperatorPermission[] = ["commit", "defineNamespace", "importNamespace"];

/**
 * Replay state of the operator log: who may sign checkpoints (`commit`) and which
 * namespaces this registry defines or imports from another registry.
 */
export class OperatorLog {
  algorithm: "sha256" | undefined;
  head: Head | undefined;
  permissions = new Map<string, Set<OperatorPermission>>();
  keys = new Map<string, PublicKey>();
  /** Keyed by the lowercased namespace; names differing only in case are the same namespace. */
  namespaces = new Map<string, NamespaceState>();

  clone(): OperatorLog {
    const copy = new OperatorLog();
    copy.algorithm = this.algorithm;
    copy.head = this.head;
    for (const [k, v] of this.permissions) copy.permissions.set(k, new Set(v));
    copy.keys = new Map(this.keys);
    copy.namespaces = new Map(this.namespaces);
    return copy;
  }

  apply(envelope: Envelope): { record: OperatorRecord; recordId: string } {
    let record: OperatorRecord;
    try {
      record = decodeOperatorRecord(envelope.contentBytes);
    } catch (error) {
      throw logError("MalformedRecord", (error as Error).message);
    }
    const next = this.clone();
    checkHeader(next.head, record);
    for (const entry of record.entries) next.applyEntry(envelope.keyId, entry);
    if (next.algorithm === undefined) throw logError("InitialRecordDoesNotInit", "the first record of the operator log must initialize it");
    checkSignature(next.keys, envelope, SIGNATURE_PREFIX.operator);
    const id = recordId("operator", envelope.contentBytes);
    next.head = { recordId: id, timestamp: record.time };
    Object.assign(this, next);
    return { record, recordId: id };
  }

  /** True when `keyId` is a known key that may sign checkpoints. */
  canCommit(keyId: string): boolean {
    return this.permissions.get(keyId)?.has("commit") === true;
  }

  namespace(name: string): NamespaceState | undefined {
    return this.namespaces.get(name.toLowerCase());
  }

  private require(signer: string, wanted: readonly OperatorPermission[], action: string): void {
    const held = this.permissions.get(signer);
    for (const permission of wanted) {
      if (!held?.has(permission)) {
        throw logError("UnauthorizedAction", `key ${signer} may not ${action}: it lacks the ${permission} permission`);
      }
    }
  }

  private addNamespace(namespace: string, state: NamespaceState): void {
    if (!isLabel(namespace)) throw logError("InvalidNamespace", `invalid namespace ${JSON.stringify(namespace)}`);
    if (this.namespaces.has(namespace.toLowerCase())) {
      throw logError("NamespaceAlreadyDefined", `namespace ${JSON.stringify(namespace)} is already defined`);
    }
    this.namespaces.set(namespace.toLowerCase(), state);
  }

  private applyEntry(signer: string, entry: OperatorEntry): void {
    if (entry.kind === "init") {
      if (this.algorithm !== undefined) throw logError("InitialEntryAfterBeginning", "the operator log is already initialized");
      // Unlike package logs the reference does not require signer == init key; the
      // signature check then needs the signer's key to be known, so in practice it is.
      this.algorithm = entry.hashAlgorithm;
      this.permissions.set(signer, new Set(ALL));
      this.keys.set(entry.key.keyId, entry.key);
      return;
    }
    if (this.algorithm === undefined)
      throw logError("FirstEntryIsNotInit", `the first entry of the operator log must be init, not ${entry.kind}`);
    switch (entry.kind) {
      case "grant": {
        this.require(signer, ["commit", ...entry.permissions], "grant them");
        this.keys.set(entry.key.keyId, entry.key);
        const set = this.permissions.get(entry.key.keyId) ?? new Set();
        for (const p of entry.permissions) set.add(p);
        this.permissions.set(entry.key.keyId, set);
        return;
      }
      case "revoke": {
        this.require(signer, ["commit", ...entry.permissions], "revoke them");
        const set = this.permissions.get(entry.keyId);
        for (const p of entry.permissions) {
          if (!set?.has(p)) throw logError("PermissionNotFoundToRevoke", `key ${entry.keyId} does not hold the ${p} permission to revoke`);
          set.delete(p);
        }
        return;
      }
      case "defineNamespace":
        this.require(signer, ["defineNamespace"], `define namespace ${entry.namespace}`);
        this.addNamespace(entry.namespace, { state: "defined" });
        return;
      case "importNamespace":
        this.require(signer, ["importNamespace"], `import namespace ${entry.namespace}`);
        this.addNamespace(entry.namespace, { state: "imported", registry: entry.registry });
        return;
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      algorithm: this.algorithm,
      head: this.head,
      permissions: permissionList(this.permissions),
      keys: Object.fromEntries([...this.keys].map(([id, key]) => [id, key.text])),
      namespaces: Object.fromEntries(this.namespaces),
    };
  }
}
