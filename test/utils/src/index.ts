export { readBody, startServer } from "./server.js";
export type { Handler, TestServer } from "./server.js";
export { cleanupTempDirs, tempDir } from "./temp.js";
export { seededRandom, startFaultProxy } from "./fault-proxy.js";
export type { Fault, FaultProxy, FaultProxyOptions, FaultRule } from "./fault-proxy.js";
