import { rootCertificates } from "node:tls";
import { Agent, type Dispatcher, EnvHttpProxyAgent } from "undici";

export interface DispatcherOptions {
  /** Extra CA certificates (PEM) trusted in addition to the system roots. */
  ca?: string[];
  /** Accept any server certificate. For test registries only; says so loudly in the CLI. */
  insecureTls?: boolean;
  /** Idle time allowed while waiting for headers or between body chunks. */
  timeoutMs?: number;
  /** Route through HTTP(S)_PROXY / NO_PROXY (default true). */
  proxyFromEnv?: boolean;
}

/**
 * The connection pool behind every request: keep-alive, TLS options per registry, and
 * proxies from the environment. Node 20's global fetch ignores HTTPS_PROXY, so the env
 * proxy agent is what makes corporate proxies work.
 */
export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const timeout = options.timeoutMs ?? 30_000;
  const connect: Record<string, unknown> = { timeout: Math.min(timeout, 30_000) };
  if (options.ca && options.ca.length > 0) connect.ca = [...rootCertificates, ...options.ca];
  if (options.insecureTls) connect.rejectUnauthorized = false;
  const common = {
    connect,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    keepAliveTimeout: 10_000,
  };
  const hasProxy =
    options.proxyFromEnv !== false &&
    Boolean(process.env.HTTPS_PROXY || process.env.https_proxy || process.env.HTTP_PROXY || process.env.http_proxy);
  // EnvHttpProxyAgent reads NO_PROXY itself; without any proxy variable a plain Agent is cheaper.
  if (hasProxy) return new EnvHttpProxyAgent({ ...common, requestTls: connect, proxyTls: connect } as never);
  return new Agent(common);
}
