import {
  type PrivateKey,
  compareTime,
  envelopeToJson,
  hashText,
  packageLogId,
  sha256,
  signPackageRecord,
  timeFromDate,
} from "@wasm-pkg/warg-backend/protocol";
import type { WargTestServer } from "../src/index.js";

/** Talk to the server by hand, for states the backend itself never leaves behind. */
export function client(server: WargTestServer) {
  return {
    /** Submit a release on top of the current head and hold back its content. */
    async submitRelease(name: string, version: string, content: Uint8Array<ArrayBuffer>, key: PrivateKey) {
      const logId = packageLogId(name);
      const head = server.core.logs.get(logId)?.state.head;
      const digest = hashText(sha256(content));
      let time = timeFromDate(new Date());
      if (head && compareTime(time, head.timestamp) < 0) time = { ...head.timestamp };
      const envelope = signPackageRecord(
        { ...(head ? { prev: head.recordId } : {}), version: 0, time, entries: [{ kind: "release", version, content: digest }] },
        key,
      );
      const response = await fetch(`${server.url}/v1/package/${logId}/record`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ packageName: name, record: envelopeToJson(envelope) }),
      });
      const status = (await response.json()) as { recordId: string; missingContent: Record<string, { upload: Array<{ url: string }> }> };
      return {
        recordId: status.recordId,
        async upload() {
          const url = status.missingContent[digest]?.upload[0]?.url as string;
          const res = await fetch(`${server.url}/${url}`, { method: "POST", body: content });
          if (res.status !== 201) throw new Error(`upload failed: ${res.status}`);
        },
      };
    },
  };
}
