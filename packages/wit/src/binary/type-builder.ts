import { ByteWriter } from "./writer.js";

/** The name options of an import/export name that WIT carries. */
export interface NameOptions {
  /** `(implements "ns:pkg/iface")`: a plain name standing for that interface. */
  implements?: string | undefined;
  /** `(external-id "…")`: WIT's `@external-id`. */
  externalId?: string | undefined;
}

/**
 * Builds an instance type (`0x42`) or component type (`0x41`) declaration list, tracking
 * the type and instance index spaces the declarations create.
 */
export class TypeDeclBuilder {
  readonly decls = new ByteWriter();
  count = 0;
  typeCount = 0;
  instanceCount = 0;

  constructor(readonly kind: "instance" | "component") {}

  private name(name: string, options: NameOptions = {}): void {
    // `00 name`, or `02 name vec(option)` with options in tag order: `00 implements`,
    // `02 external-id` (as wasm-encoder's ComponentExternName).
    const opts: Array<[number, string]> = [];
    if (options.implements !== undefined) opts.push([0x00, options.implements]);
    if (options.externalId !== undefined) opts.push([0x02, options.externalId]);
    if (opts.length === 0) {
      this.decls.byte(0x00).string(name);
      return;
    }
    this.decls.byte(0x02).string(name).u32(opts.length);
    for (const [tag, value] of opts) this.decls.byte(tag).string(value);
  }

  /** A type definition (`deftype` bytes); returns its index. */
  defineType(def: ByteWriter | Uint8Array): number {
    this.decls.byte(0x01);
    if (def instanceof ByteWriter) this.decls.append(def);
    else this.decls.bytes(def);
    this.count++;
    return this.typeCount++;
  }

  aliasInstanceExportType(instance: number, name: string): number {
    this.decls.byte(0x02).byte(0x03).byte(0x00).u32(instance).string(name);
    this.count++;
    return this.typeCount++;
  }

  aliasOuterType(count: number, index: number): number {
    this.decls.byte(0x02).byte(0x03).byte(0x02).u32(count).u32(index);
    this.count++;
    return this.typeCount++;
  }

  private decl(isImport: boolean, name: string, options?: NameOptions): void {
    if (isImport && this.kind !== "component") throw new Error("instance types cannot import");
    this.decls.byte(isImport ? 0x03 : 0x04);
    this.name(name, options);
    this.count++;
  }

  typeEq(isImport: boolean, name: string, index: number, externalId?: string): number {
    this.decl(isImport, name, { externalId });
    this.decls.byte(0x03).byte(0x00).u32(index);
    return this.typeCount++;
  }

  typeSubResource(isImport: boolean, name: string, externalId?: string): number {
    this.decl(isImport, name, { externalId });
    this.decls.byte(0x03).byte(0x01);
    return this.typeCount++;
  }

  func(isImport: boolean, name: string, typeIndex: number, externalId?: string): void {
    this.decl(isImport, name, { externalId });
    this.decls.byte(0x01).u32(typeIndex);
  }

  instance(isImport: boolean, name: string, typeIndex: number, options?: NameOptions): number {
    this.decl(isImport, name, options);
    this.decls.byte(0x05).u32(typeIndex);
    return this.instanceCount++;
  }

  component(isImport: boolean, name: string, typeIndex: number): void {
    this.decl(isImport, name);
    this.decls.byte(0x04).u32(typeIndex);
  }

  /** The complete type: tag, declaration count, declarations. */
  finish(): ByteWriter {
    const out = new ByteWriter(this.decls.length + 8);
    out.byte(this.kind === "component" ? 0x41 : 0x42).u32(this.count);
    out.append(this.decls);
    return out;
  }
}

/**
 * The top level of a component binary: consecutive items of one kind share a section,
 * as wasm-encoder's `ComponentBuilder` writes them.
 */
export class ComponentBuilder {
  private readonly out = new ByteWriter(1024);
  private section: { id: number; count: number; body: ByteWriter } | undefined;
  typeCount = 0;

  constructor() {
    this.out.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
  }

  private flush(): void {
    if (!this.section) return;
    const s = this.section;
    const payload = new ByteWriter(s.body.length + 5);
    payload.u32(s.count).append(s.body);
    this.out.byte(s.id).sized(payload);
    this.section = undefined;
  }

  private item(id: number): ByteWriter {
    if (this.section?.id !== id) {
      this.flush();
      this.section = { id, count: 0, body: new ByteWriter() };
    }
    this.section.count++;
    return this.section.body;
  }

  /** Adds a type to the type section; returns its index. */
  type(def: ByteWriter): number {
    this.item(7).append(def);
    return this.typeCount++;
  }

  /** Exports type `index` under a plain name; the export creates a new type index. */
  exportType(name: string, index: number): number {
    this.item(11).byte(0x00).string(name).byte(0x03).u32(index).byte(0x00);
    return this.typeCount++;
  }

  custom(name: string, data: Uint8Array): void {
    this.flush();
    const payload = new ByteWriter(data.length + name.length + 5);
    payload.string(name).bytes(data);
    this.out.byte(0x00).sized(payload);
  }

  finish(): Uint8Array {
    this.flush();
    return this.out.finish();
  }
}
