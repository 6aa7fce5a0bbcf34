export type { Cache, CopyContentOptions, PutContentOptions } from "./cache.js";
export { FileCache } from "./file-cache.js";
export type { FileCacheOptions } from "./file-cache.js";
export { CONTENT_DIR, LAYOUT_DIR, RELEASES_DIR, contentPath, registrySegment, releasePath } from "./layout.js";
