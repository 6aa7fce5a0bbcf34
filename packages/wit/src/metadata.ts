import { createRequire } from "node:module";
import { binaryKind, sections } from "./binary/component.js";
import { decodeProducers, encodeProducers, mergeProducers, type Producers } from "./binary/producers.js";
import { ByteReader } from "./binary/reader.js";
import { ByteWriter } from "./binary/writer.js";
import { decodeError, WitError } from "./errors.js";

/** The OCI-annotation custom sections wasm-metadata defines (each a raw UTF-8 string). */
export const ANNOTATION_SECTIONS = ["authors", "description", "licenses", "source", "homepage", "revision", "version"] as const;
export type AnnotationField = (typeof ANNOTATION_SECTIONS)[number];

/** Metadata stored in a module's or component's top-level custom sections. */
export interface WasmMetadata {
  kind: "module" | "component";
  /** From the `component-name` (components) or `name` (modules) section. */
  name?: string;
  producers?: Producers;
  authors?: string;
  description?: string;
  /** An SPDX license expression. */
  licenses?: string;
  source?: string;
  homepage?: string;
  revision?: string;
  version?: string;
  /** The legacy `registry-metadata` JSON section (wkg 0.8), when present. */
  registryMetadata?: unknown;
}

export interface AddMetadata {
  name?: string;
  /** `processed-by` entries to add, e.g. `[["wkg", "0.1.0"]]`. */
  processedBy?: Array<[string, string]>;
  language?: Array<[string, string]>;
  sdk?: Array<[string, string]>;
  authors?: string;
  description?: string;
  /** Must be a valid SPDX license expression. */
  licenses?: string;
  /** A URL; stored normalised (`https://a.b` → `https://a.b/`). */
  source?: string;
  /** A URL; stored normalised. */
  homepage?: string;
  revision?: string;
  version?: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** spdx-expression-parse (CommonJS, untyped), loaded only when a license is validated. */
function parseSpdx(expression: string): unknown {
  const require = createRequire(import.meta.url);
  return (require("spdx-expression-parse") as (text: string) => unknown)(expression);
}

function text(data: Uint8Array, section: string): string {
  try {
    return utf8.decode(data);
  } catch {
    throw decodeError(`the \`${section}\` custom section is not valid UTF-8`);
  }
}

/** Subsections of a `name`/`component-name` section: `(id, payload)`. */
function nameSubsections(data: Uint8Array): Array<[number, Uint8Array]> {
  const r = new ByteReader(data);
  const out: Array<[number, Uint8Array]> = [];
  while (!r.eof) {
    const id = r.byte();
    const size = r.u32();
    out.push([id, r.bytes(size)]);
  }
  return out;
}

function nameFrom(data: Uint8Array): string | undefined {
  for (const [id, payload] of nameSubsections(data)) {
    if (id === 0) return new ByteReader(payload).string();
  }
  return undefined;
}

function encodeNameSection(existing: Uint8Array | undefined, name: string | undefined): Uint8Array {
  const subs = existing ? nameSubsections(existing) : [];
  const w = new ByteWriter();
  const own = name ?? (existing ? nameFrom(existing) : undefined);
  if (own !== undefined) w.byte(0x00).sized(new ByteWriter().string(own));
  for (const [id, payload] of subs) {
    if (id === 0) continue;
    w.byte(id).u32(payload.length).bytes(payload);
  }
  return w.finish();
}

function kindOf(bytes: Uint8Array): "module" | "component" {
  const kind = binaryKind(bytes);
  if (!kind) throw decodeError("not a WebAssembly binary: magic header not detected");
  return kind;
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof WitError) throw error.toWkgError("the file is not a valid WebAssembly module or component");
    throw error;
  }
}

/** Reads the metadata of the outermost module or component (nested ones are ignored). */
export function readMetadata(bytes: Uint8Array): WasmMetadata {
  return wrap(() => {
    const kind = kindOf(bytes);
    const out: WasmMetadata = { kind };
    const nameSection = kind === "component" ? "component-name" : "name";
    for (const [id, r] of sections(bytes)) {
      if (id !== 0) continue;
      const name = r.string();
      const data = r.bytes(r.end - r.pos);
      if (name === nameSection) {
        const n = nameFrom(data);
        if (n !== undefined) out.name = n;
      } else if (name === "producers") {
        out.producers = decodeProducers(data);
      } else if ((ANNOTATION_SECTIONS as readonly string[]).includes(name)) {
        out[name as AnnotationField] = text(data, name);
      } else if (name === "registry-metadata") {
        try {
          out.registryMetadata = JSON.parse(text(data, name));
        } catch (error) {
          if (error instanceof WitError) throw error;
          throw decodeError("the `registry-metadata` custom section is not valid JSON");
        }
      }
    }
    return out;
  });
}

function invalid(field: string, value: string, reason: string): never {
  throw new WitError("INVALID_CONTENT", `invalid ${field} ${JSON.stringify(value)}: ${reason}`);
}

/** Normalises and validates the values to add, as wasm-metadata does. */
function validate(add: AddMetadata): AddMetadata {
  const out = { ...add };
  if (add.licenses !== undefined) {
    try {
      parseSpdx(add.licenses);
    } catch (error) {
      invalid("licenses", add.licenses, `not a valid SPDX expression (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  for (const field of ["source", "homepage"] as const) {
    const value = add[field];
    if (value === undefined) continue;
    try {
      out[field] = new URL(value).href;
    } catch {
      invalid(field, value, "not a valid URL");
    }
  }
  return out;
}

/**
 * Adds metadata to the outermost module or component, like wasm-metadata's `AddMetadata`:
 * existing `producers` and name sections are merged in place, other sections are copied
 * unchanged, and new sections are appended in the order `component-name`/`name`,
 * `producers`, `authors`, `description`, `licenses`, `source`, `homepage`, `revision`,
 * `version`. A field that is set replaces an existing section of that name.
 */
export function addMetadata(bytes: Uint8Array, add: AddMetadata): Uint8Array {
  return wrap(() => {
    const kind = kindOf(bytes);
    const values = validate(add);
    const producers: Producers = {};
    if (add.language?.length) producers.language = add.language;
    if (add.processedBy?.length) producers["processed-by"] = add.processedBy;
    if (add.sdk?.length) producers.sdk = add.sdk;
    const nameSection = kind === "component" ? "component-name" : "name";
    const out = new ByteWriter(bytes.length + 256);
    out.bytes(bytes.subarray(0, 8));
    let producersFound = false;
    let namesFound = false;
    const custom = (name: string, data: Uint8Array) => {
      const payload = new ByteWriter(data.length + name.length + 5);
      payload.string(name).bytes(data);
      out.byte(0).sized(payload);
    };
    for (const [id, r, start, end] of sections(bytes)) {
      if (id === 0) {
        const name = r.string();
        const data = r.bytes(r.end - r.pos);
        if (name === "producers") {
          producersFound = true;
          custom(name, encodeProducers(mergeProducers(decodeProducers(data), producers)));
          continue;
        }
        if (name === nameSection) {
          namesFound = true;
          custom(name, encodeNameSection(data, values.name));
          continue;
        }
        if ((ANNOTATION_SECTIONS as readonly string[]).includes(name) && values[name as AnnotationField] !== undefined) {
          continue;
        }
      }
      out.bytes(bytes.subarray(start, end));
    }
    if (!namesFound && values.name !== undefined) custom(nameSection, encodeNameSection(undefined, values.name));
    if (!producersFound && Object.keys(producers).length > 0) custom("producers", encodeProducers(producers));
    for (const field of ANNOTATION_SECTIONS) {
      const value = values[field];
      if (value !== undefined) custom(field, new TextEncoder().encode(value));
    }
    return out.finish();
  });
}
