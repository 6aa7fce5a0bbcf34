import { ByteReader } from "./reader.js";
import { ByteWriter } from "./writer.js";

/**
 * The tool-conventions `producers` section: fields (`language`, `processed-by`, `sdk`)
 * each listing `(name, version)` pairs, in order.
 */
export type Producers = Record<string, Array<[name: string, version: string]>>;

export function encodeProducers(producers: Producers): Uint8Array {
  const w = new ByteWriter();
  const fields = Object.entries(producers);
  w.u32(fields.length);
  for (const [field, values] of fields) {
    w.string(field).u32(values.length);
    for (const [name, version] of values) w.string(name).string(version);
  }
  return w.finish();
}

export function decodeProducers(data: Uint8Array): Producers {
  const r = new ByteReader(data);
  const out: Producers = {};
  for (let n = r.count(); n > 0; n--) {
    const field = r.string();
    const values: Array<[string, string]> = [];
    for (let m = r.count(); m > 0; m--) values.push([r.string(), r.string()]);
    out[field] = values;
  }
  if (!r.eof) r.fail("trailing bytes in producers section");
  return out;
}

/**
 * Adds `name version` to a field, replacing the version of an existing entry with the same
 * name (wasm-metadata's merge rule) and keeping field and entry order.
 */
export function mergeProducers(base: Producers, add: Producers): Producers {
  const out: Producers = {};
  for (const [field, values] of Object.entries(base)) out[field] = values.map(([n, v]) => [n, v]);
  for (const [field, values] of Object.entries(add)) {
    const list = out[field] ?? (out[field] = []);
    for (const [name, version] of values) {
      const existing = list.find(([n]) => n === name);
      if (existing) existing[1] = version;
      else list.push([name, version]);
    }
  }
  return out;
}
