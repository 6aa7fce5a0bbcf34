import { rootCertificates } from "node:tls";
import type { Dispatcher } from "undici";
import { undici } from "./undici.js";

export interface DispatcherOptions {
  /** Extra CA certificates (PEM) trusted in addition to the system roots. */
  ca?: string[];
  /** Accept any server certificate. For test registries only; says so loudly in the CLI. */
  insecureTls?: boolean;
  /** Idle time allowed while waiting for headers or between body chunks. */
  timeoutMs?: number;
  /** Route through HTTP(S)_PROXY / NO_PROXY (default true). */
  proxyFromEnv?: boolean;
  /**
   * Where the proxy variables are read (default process.env). Passed to undici explicitly,
   * so an injected environment (tests, embedders) is honoured and process.env is not consulted.
   */
  env?: Readonly<Record<string, string | undefined>>;
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
  const env = options.env ?? process.env;
  // Lowercase first, as curl and undici do.
  const httpProxy = env.http_proxy || env.HTTP_PROXY || undefined;
  const httpsProxy = env.https_proxy || env.HTTPS_PROXY || undefined;
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? "";
  if (options.proxyFromEnv !== false && (httpProxy || httpsProxy)) {
    // Every value is given explicitly so undici never falls back to process.env.
    return new undici.EnvHttpProxyAgent({
      ...common,
      requestTls: connect,
      proxyTls: connect,
      // "" rather than undefined: undefined would make undici read process.env after all.
      // An unset HTTPS_PROXY means https goes through HTTP_PROXY too (undici's rule).
      httpProxy: httpProxy ?? "",
      httpsProxy: httpsProxy ?? "",
      noProxy,
    } as never);
  }
  return new undici.Agent(common);
}
