import { logError } from "./log-error.js";
import { type Head, checkHeader, checkSignature, permissionList } from "./log-header.js";
import type { PublicKey } from "./keys.js";
import {
  type Envelope,
  type PackageEntry,
  type PackagePermission,
  type PackageRecord,
  SIGNATURE_PREFIX,
  type Timestamp,
  decodePackageRecord,
  recordId,
} from "./records.js";

export type ReleaseState = { status: "released"; content: string } | { status: "yanked"; by: string; timestamp: Timestamp };

export interface PackageRelease {
  /** The record that released it. */
  recordId: string;
  version: string;
  /** Key id of the releaser. */
  by: string;
  timestamp: Timestamp;
  state: ReleaseState;
}

/**
 * Replay state of one package log. `apply` validates a record against everything before
 * it and commits only if the whole record is valid: a record with one bad entry changes
 * nothing.
 */
export class PackageLog {
  algorithm: "sha256" | undefined;
  head: Head | undefined;
  permissions = new Map<string, Set<PackagePermission>>();
  keys = new Map<string, PublicKey>();
  /** In log order, keyed by the exact version text (build metadata is significant). */
  releases = new Map<string, PackageRelease>();

  clone(): PackageLog {
    const copy = new PackageLog();
    copy.algorithm = this.algorithm;
    copy.head = this.head;
    for (const [k, v] of this.permissions) copy.permissions.set(k, new Set(v));
    copy.keys = new Map(this.keys);
    copy.releases = new Map(this.releases);
    return copy;
  }

  apply(envelope: Envelope): { record: PackageRecord; recordId: string } {
    let record: PackageRecord;
    try {
      record = decodePackageRecord(envelope.contentBytes);
    } catch (error) {
      throw logError("MalformedRecord", (error as Error).message);
    }
    const id = recordId("package", envelope.contentBytes);
    const next = this.clone();
    checkHeader(next.head, record);
    for (const entry of record.entries) next.applyEntry(envelope.keyId, entry, record.time, id);
    if (next.algorithm === undefined) throw logError("InitialRecordDoesNotInit", "the first record of a package log must initialize it");
    checkSignature(next.keys, envelope, SIGNATURE_PREFIX.package);
    next.head = { recordId: id, timestamp: record.time };
    Object.assign(this, next);
    return { record, recordId: id };
  }

  private require(signer: string, wanted: readonly PackagePermission[], action: string): void {
    const held = this.permissions.get(signer);
    for (const permission of wanted) {
      if (!held?.has(permission)) {
        throw logError("UnauthorizedAction", `key ${signer} may not ${action}: it lacks the ${permission} permission`);
      }
    }
  }

  private applyEntry(signer: string, entry: PackageEntry, time: Timestamp, id: string): void {
    if (entry.kind === "init") {
      if (this.algorithm !== undefined) throw logError("InitialEntryAfterBeginning", "the package log is already initialized");
      if (entry.key.keyId !== signer) {
        throw logError("KeyIDNotRecognized", `the init record is signed by ${signer}, not by the key it names (${entry.key.keyId})`);
      }
      this.algorithm = entry.hashAlgorithm;
      this.permissions.set(signer, new Set(["release", "yank"]));
      this.keys.set(signer, entry.key);
      return;
    }
    if (this.algorithm === undefined)
      throw logError("FirstEntryIsNotInit", `the first entry of a package log must be init, not ${entry.kind}`);
    switch (entry.kind) {
      case "grant": {
        this.require(signer, entry.permissions, "grant them");
        const keyId = entry.key.keyId;
        this.keys.set(keyId, entry.key);
        const set = this.permissions.get(keyId) ?? new Set();
        for (const p of entry.permissions) set.add(p);
        this.permissions.set(keyId, set);
        return;
      }
      case "revoke": {
        this.require(signer, entry.permissions, "revoke them");
        const set = this.permissions.get(entry.keyId);
        for (const p of entry.permissions) {
          if (!set?.has(p)) throw logError("PermissionNotFoundToRevoke", `key ${entry.keyId} does not hold the ${p} permission to revoke`);
          set.delete(p);
        }
        return;
      }
      case "release": {
        this.require(signer, ["release"], `release ${entry.version}`);
        if (this.releases.has(entry.version)) throw logError("ReleaseOfReleased", `version ${entry.version} was already released`);
        this.releases.set(entry.version, {
          recordId: id,
          version: entry.version,
          by: signer,
          timestamp: time,
          state: { status: "released", content: entry.content },
        });
        return;
      }
      case "yank": {
        this.require(signer, ["yank"], `yank ${entry.version}`);
        const release = this.releases.get(entry.version);
        if (!release) throw logError("YankOfUnreleased", `version ${entry.version} cannot be yanked: it was never released`);
        if (release.state.status === "yanked") throw logError("YankOfYanked", `version ${entry.version} is already yanked`);
        this.releases.set(entry.version, { ...release, state: { status: "yanked", by: signer, timestamp: time } });
        return;
      }
    }
  }

  /** A plain view for tests and debugging (timestamps as {seconds, nanos}). */
  toJSON(): Record<string, unknown> {
    return {
      algorithm: this.algorithm,
      head: this.head,
      permissions: permissionList(this.permissions),
      keys: Object.fromEntries([...this.keys].map(([id, key]) => [id, key.text])),
      releases: Object.fromEntries(this.releases),
    };
  }
}
