import { type Logger, WkgError, isWkgError } from "@wasm-pkg/common";
import { bearerEnvVar } from "./auth/credentials.js";
import { normalizeDockerKey } from "./auth/docker-config.js";
import { OciClient } from "./client.js";

export interface VerifyLoginOptions {
  env: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** Reach the registry over plain http (loopback hosts are probed anyway). */
  insecure?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Check that `username`/`password` get into `registry`: `GET /v2/` answering its challenge, Basic
 * or Bearer (a token from the realm, as every other request gets one). Only these credentials are
 * tried: not the Docker config, not WKG_REGISTRY_<HOST>_AUTH_BEARER. Throws UNAUTHORIZED when refused.
 */
export async function verifyLogin(
  registry: string,
  credentials: { username: string; password: string },
  options: VerifyLoginOptions,
): Promise<void> {
  const host = normalizeDockerKey(registry);
  const apiHost = host === "index.docker.io" ? "docker.io" : host;
  const env = { ...options.env, [bearerEnvVar(apiHost)]: undefined };
  const client = new OciClient({
    env,
    credentials,
    dockerConfig: false,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.insecure ? { insecure: [apiHost] } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  try {
    await client.registry(apiHost).ping(options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (isWkgError(error, "UNAUTHORIZED")) {
      throw new WkgError(
        "UNAUTHORIZED",
        `${host} refused the credentials of user ${credentials.username}; nothing was stored (${error.message})`,
        {
          hint: "check the username and password (or token), and that the token has access to the registry",
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    await client.close();
  }
}
