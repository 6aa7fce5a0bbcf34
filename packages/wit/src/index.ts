/**
 * @wasm-pkg/wit — the WIT language in pure TypeScript: parse, resolve, print, encode and
 * decode WIT packages; read and write wasm metadata; check semver compatibility.
 */
export { Resolve } from "./resolve/resolve.js";
export type { Remap } from "./resolve/remap.js";
export { resolveToJson } from "./resolve/json.js";
export { WitPrinter, depDirName } from "./print/printer.js";
export type { UnresolvedPackageGroup, WitSource } from "./text/group.js";
export type { UnresolvedPackage } from "./text/unresolved.js";
export { witReferences } from "./text/references.js";
export type { WitReference } from "./text/references.js";
export { pushDirSource } from "./resolve/dir.js";
export type { WitDepEntry, WitDirSource } from "./resolve/dir.js";
export { readWitDir, resolveWitDir, resolveWitFiles, resolveWitPath, resolveWitSource } from "./fs.js";
export type { ResolveOptions, ResolvedPackage } from "./fs.js";
export {
  componentInterfaces,
  decodeModuleWit,
  decodeWasm,
  embedWit,
  encodeWitPackage,
  foreignDependencies,
  groupPackageName,
  packageIdentity,
  parseWitFiles,
  parseWitText,
  printPackage,
  printPackages,
  printWitFiles,
  semverCheck,
  wasmBinary,
  wasmKind,
} from "./api.js";
export type { DecodedWasm, ForeignDependency, PackageIdentity, WasmKind } from "./api.js";
export { semverProblem } from "./semver-check.js";
export type { EncodeOptions } from "./binary/encode.js";
export type { StringEncoding } from "./binary/core-wit.js";
export type { Producers } from "./binary/producers.js";
export { ANNOTATION_SECTIONS, addMetadata, readMetadata } from "./metadata.js";
export type { AddMetadata, WasmMetadata } from "./metadata.js";
export { SemVer } from "./semver.js";
export type {
  Case,
  EnumCase,
  Field,
  Flag,
  FunctionKind,
  Interface,
  InterfaceId,
  Package,
  PackageId,
  PackageName,
  PrimitiveType,
  Stability,
  Type,
  TypeDef,
  TypeDefKind,
  TypeId,
  TypeOwner,
  WitFunction,
  World,
  WorldId,
  WorldItem,
  WorldKey,
} from "./model.js";
export { interfaceIdString, packageNameString } from "./model.js";
