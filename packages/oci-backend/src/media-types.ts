/** Media types of the CNCF Wasm OCI artifact and the manifests a registry may answer with. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

export const WASM_CONFIG = "application/vnd.wasm.config.v0+json";
export const WASM_LAYER = "application/wasm";

/**
 * Layer media types older publishers used for a wasm payload; accepted on pull so those
 * artifacts still load (wasm-to-oci, early oras examples, Spin's per-file layers).
 */
export const LEGACY_WASM_LAYERS: readonly string[] = [
  "application/vnd.wasm.content.layer.v1+wasm",
  "application/vnd.module.wasm.content.layer.v1+wasm",
  "application/vnd.wasm.component.v1+wasm",
  "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm",
];

export function isWasmLayer(mediaType: string): boolean {
  return mediaType === WASM_LAYER || LEGACY_WASM_LAYERS.includes(mediaType);
}

/**
 * What manifest GET/HEAD must accept. distribution 2.8 answers 404 MANIFEST_UNKNOWN to a
 * request for an OCI manifest whose Accept lacks the OCI type, so it is always listed.
 */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(", ");

/** Annotation keys (OCI image spec, `org.opencontainers.image.*`). */
export const ANNOTATION = {
  created: "org.opencontainers.image.created",
  authors: "org.opencontainers.image.authors",
  url: "org.opencontainers.image.url",
  source: "org.opencontainers.image.source",
  version: "org.opencontainers.image.version",
  revision: "org.opencontainers.image.revision",
  licenses: "org.opencontainers.image.licenses",
  title: "org.opencontainers.image.title",
  description: "org.opencontainers.image.description",
} as const;

/** distribution refuses manifests above 4 MiB; so do we, both ways. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Config blobs are small JSON; anything near this size is not a wasm config. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
