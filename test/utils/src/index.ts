export { readBody, startServer } from "./server.js";
export type { Handler, TestServer } from "./server.js";
export { cleanupTempDirs, tempDir } from "./temp.js";
export { seededRandom, startFaultProxy } from "./fault-proxy.js";
export type { Fault, FaultProxy, FaultProxyOptions, FaultRule } from "./fault-proxy.js";
export { directoryBackend, forgedVersion, hostileBackend } from "./backends.js";
export type { DirectoryBackendOptions } from "./backends.js";
export { fakeInspector, fakeWasm } from "./inspector.js";
export type { FakeWasm } from "./inspector.js";
