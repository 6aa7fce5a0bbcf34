export {
  REGISTRY_METADATA_PATH,
  configuredProtocols,
  emptyMetadata,
  ociMetadata,
  parseRegistryMetadata,
  pickProtocol,
  preferredProtocol,
  wargMetadata,
} from "./parse.js";
export type { OciMetadata, RegistryMetadata, WargMetadata } from "./parse.js";
export { fetchRegistryMetadata, metadataUrl } from "./fetch.js";
export type { FetchMetadataOptions, FetchedMetadata } from "./fetch.js";
