export { createHttpClient } from "./client.js";
export type { HttpClient, HttpClientOptions, RequestBody, RequestOptions } from "./client.js";
export { createDispatcher } from "./dispatcher.js";
export type { DispatcherOptions } from "./dispatcher.js";
export { download } from "./download.js";
export type { DownloadOptions } from "./download.js";
export { errorBodyExcerpt, readCapped, readStreamCapped, readTextCapped, statusError } from "./body.js";
export { RETRYABLE_STATUSES, backoffDelay, isIdempotent, isRetryableNetworkError, parseRetryAfter, sleep } from "./retry.js";
