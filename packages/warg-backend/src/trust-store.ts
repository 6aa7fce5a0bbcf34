import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { WkgError, joinInside, safeSegment, writeFileAtomic } from "@wasm-pkg/common";
import { type SignedCheckpoint, parseSignedCheckpoint } from "./protocol/checkpoint.js";
import { isAnyHash } from "./protocol/hash.js";

/**
 * What this machine has verified about one registry: the last checkpoint (so the registry
 * can never roll back or fork behind our back) and the head of every log we replayed (so
 * a log can never lose records we have seen).
 */
export interface TrustState {
  checkpoint: SignedCheckpoint;
  /** log id -> registry index and record id of the newest record seen in that log. */
  heads: Record<string, LogHead>;
}

export interface LogHead {
  index: number;
  recordId: string;
}

const FORMAT = 1;

/**
 * The directory name warg uses for a registry URL (host, `-port`, `_path`, with `.`, `_`,
 * `*` and `%` escaped), so two registries never share a state file.
 */
export function safeLabel(url: URL): string {
  let host = url.hostname;
  if (host.startsWith("[")) host = `ipv6_${host.slice(1, -1).replaceAll(":", ".")}`;
  let label = host;
  if (url.port) label += `-${url.port}`;
  const path = url.pathname.replace(/^\/+|\/+$/g, "");
  if (path) {
    let escaped = "";
    for (const ch of path) {
      escaped += ch === "/" ? "_" : ch === "." ? ".2E" : ch === "_" ? ".5F" : ch === "*" ? ".2A" : ch === "%" ? "." : ch;
    }
    label += `_${escaped}`;
  }
  return safeSegment(label, "registry state directory");
}

export class TrustStore {
  readonly file: string;

  /** `dir/<label>[/<federated label>]/trust.json` */
  constructor(stateDir: string, baseUrl: URL, federated?: string) {
    const segments = [safeLabel(baseUrl)];
    if (federated) segments.push(safeLabel(new URL(`https://${federated}`)));
    this.file = join(joinInside(stateDir, ...segments), "trust.json");
  }

  async read(): Promise<TrustState | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new WkgError("CACHE", `cannot read warg trust state ${this.file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const doc = JSON.parse(text) as Record<string, unknown>;
      if (doc.format !== FORMAT) throw new Error(`unknown format ${JSON.stringify(doc.format)}`);
      const heads: Record<string, LogHead> = {};
      for (const [logId, head] of Object.entries((doc.heads ?? {}) as Record<string, LogHead>)) {
        if (!isAnyHash(logId) || !Number.isSafeInteger(head?.index) || !isAnyHash(head.recordId)) throw new Error(`bad head for ${logId}`);
        heads[logId] = { index: head.index, recordId: head.recordId };
      }
      return { checkpoint: parseSignedCheckpoint(doc.checkpoint, "stored checkpoint"), heads };
    } catch (error) {
      // Silently starting over would let a hostile registry erase what we verified.
      throw new WkgError("CACHE", `warg trust state ${this.file} is damaged: ${(error as Error).message}`, {
        hint: `delete ${this.file} to trust the registry anew on next use`,
        cause: error,
      });
    }
  }

  /**
   * Save newly verified state. Another process may have verified a newer checkpoint in
   * the meantime: the longer checkpoint and the newer head of each log win, so the file
   * never moves backwards.
   */
  async write(state: TrustState): Promise<void> {
    let current: TrustState | undefined;
    try {
      current = await this.read();
    } catch {
      current = undefined;
    }
    const checkpoint =
      current && current.checkpoint.contents.logLength > state.checkpoint.contents.logLength ? current.checkpoint : state.checkpoint;
    const heads = { ...(current?.heads ?? {}) };
    for (const [logId, head] of Object.entries(state.heads)) {
      const old = heads[logId];
      if (!old || old.index <= head.index) heads[logId] = head;
    }
    await writeFileAtomic(this.file, `${JSON.stringify({ format: FORMAT, checkpoint, heads }, null, 2)}\n`);
  }
}
