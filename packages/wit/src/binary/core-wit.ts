import { decodeError, withContext } from "../errors.js";
import { interfaceIdString, type PackageId, UNKNOWN_STABILITY, type WorldId } from "../model.js";
import { mergeResolve } from "../resolve/merge.js";
import { mergeWorlds } from "../resolve/merge-worlds.js";
import { Resolve } from "../resolve/resolve.js";
import { binaryKind, parseComponent, sections } from "./component.js";
import { decodeWorldComponent } from "./decode.js";
import { DEFAULT_PRODUCERS, encodeWorld } from "./encode.js";
import { encodeProducers } from "./producers.js";
import { ComponentBuilder, TypeDeclBuilder } from "./type-builder.js";
import { ByteWriter } from "./writer.js";

/**
 * WIT carried by a core module, in wit-component's format: `component-type*` custom sections
 * (what bindings generators and `wasm-tools component embed` write), each a component whose one
 * export is a component type wrapping the bound world, plus a `wit-component-encoding` section
 * holding the format version and the string encoding.
 */

const ENCODING_SECTION = "wit-component-encoding";
const CURRENT_VERSION = 0x04;

export type StringEncoding = "utf8" | "utf16" | "compact-utf16";
const STRING_ENCODINGS: readonly StringEncoding[] = ["utf8", "utf16", "compact-utf16"];

/** The payload of a `component-type` section for `world` (wit-component's `metadata::encode`). */
export function encodeWorldMetadata(resolve: Resolve, world: WorldId, encoding: StringEncoding = "utf8"): Uint8Array {
  const w = resolve.world(world);
  if (w.package === undefined) throw decodeError(`world \`${w.name}\` belongs to no package`);
  const wrapper = new TypeDeclBuilder("component");
  wrapper.defineType(encodeWorld(resolve, world).finish());
  wrapper.component(false, interfaceIdString(resolve.pkg(w.package).name, w.name), 0);
  const builder = new ComponentBuilder();
  builder.custom(ENCODING_SECTION, new Uint8Array([CURRENT_VERSION, STRING_ENCODINGS.indexOf(encoding)]));
  builder.exportType(w.name, builder.type(wrapper.finish()));
  builder.custom("producers", encodeProducers(DEFAULT_PRODUCERS));
  return builder.finish();
}

/** `module` with a `component-type` section for `world` appended (wit-component's `embed_component_metadata`). */
export function embedWorld(module: Uint8Array, resolve: Resolve, world: WorldId, encoding: StringEncoding = "utf8"): Uint8Array {
  if (binaryKind(module) !== "module") throw decodeError("WIT can only be embedded in a core wasm module");
  const section = new ByteWriter().string("component-type").bytes(encodeWorldMetadata(resolve, world, encoding));
  return new ByteWriter().bytes(module).byte(0x00).sized(section).finish();
}

/**
 * The WIT a core module carries (wit-component's `metadata::decode`): every `component-type*`
 * section's world merged into the world `root` of the package `root:root`, which comes first
 * in the Resolve. `undefined` when the module has no such section.
 */
export function decodeCoreModuleWit(module: Uint8Array): { resolve: Resolve; world: WorldId } | undefined {
  let found: { resolve: Resolve; world: WorldId } | undefined;
  for (const [id, r] of sections(module)) {
    if (id !== 0) continue;
    const name = r.string();
    if (!name.startsWith("component-type")) continue;
    const data = r.bytes(r.end - r.pos);
    found ??= rootWorld();
    const into = found;
    const section = withContext(
      () => `decoding custom section ${name}`,
      () => decodeSection(data),
    );
    withContext(
      () => `updating metadata for section ${name}`,
      () => {
        const remap = mergeResolve(into.resolve, section.resolve);
        mergeWorlds(into.resolve, remap.worlds[section.world] as WorldId, into.world);
      },
    );
  }
  return found;
}

/** wit-component's `Bindgen::default()`: an empty world `root` in the package `root:root`. */
function rootWorld(): { resolve: Resolve; world: WorldId } {
  const resolve = new Resolve();
  const pkg: PackageId =
    resolve.packages.push({
      name: { namespace: "root", name: "root", version: undefined },
      docs: undefined,
      interfaces: new Map(),
      worlds: new Map(),
    }) - 1;
  resolve.packageNames.set("root:root", pkg);
  const world: WorldId =
    resolve.worlds.push({
      name: "root",
      imports: new Map(),
      exports: new Map(),
      package: pkg,
      docs: undefined,
      stability: UNKNOWN_STABILITY,
      includes: [],
      includeNames: [],
    }) - 1;
  resolve.pkg(pkg).worlds.set("root", world);
  return { resolve, world };
}

function decodeSection(data: Uint8Array): { resolve: Resolve; world: WorldId } {
  if (data[0] === 0x03) {
    throw decodeError("the `component-type` section uses the historical 0x03 format, which is not supported; regenerate the bindings");
  }
  const parsed = parseComponent(data);
  const { resolve, world } = decodeWorldComponent(parsed);
  const encoding = parsed.customs.find((c) => c.name === ENCODING_SECTION)?.data;
  if (encoding === undefined) throw decodeError(`missing custom section of name \`${ENCODING_SECTION}\``);
  if (encoding.length === 0) throw decodeError(`custom section \`${ENCODING_SECTION}\` in unknown format`);
  if (encoding[0] !== CURRENT_VERSION || encoding.length !== 2) {
    throw decodeError(`custom section \`${ENCODING_SECTION}\` uses format ${encoding[0]} but only ${CURRENT_VERSION} is supported`);
  }
  if ((encoding[1] as number) >= STRING_ENCODINGS.length) {
    throw decodeError(`invalid string encoding 0x${(encoding[1] as number).toString(16)}`);
  }
  return { resolve, world };
}
