// A loopback proxy adding latency to every request, in its own process: the bench times
// commands with spawnSync, which would starve a proxy running on the bench's own event loop.
// Usage: node bench/latency-proxy.mjs <target url> <ms>; prints its URL, exits when stdin closes.
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const { startFaultProxy } = await import(`${root}test/utils/dist/index.js`);
const [target, ms] = process.argv.slice(2);
const proxy = await startFaultProxy(target, () => undefined, { latencyMs: Number(ms) });
process.stdout.write(`${proxy.url}\n`);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
