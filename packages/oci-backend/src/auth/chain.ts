import { type Logger, isAbortError, noopLogger } from "@wasm-pkg/common";
import { ANONYMOUS, type CredentialSource, type Credentials, bearerFromEnv } from "./credentials.js";
import { dockerCredentials } from "./docker-config.js";

export interface CredentialChainOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Configured credentials (`auth` in config.toml, or `wkg oci -u/-p`). */
  explicit?: Credentials | undefined;
  logger?: Logger;
  /** Look in the Docker config (default true). */
  docker?: boolean;
}

/**
 * Where credentials for an OCI registry come from, first match wins (upstream HEAD's order):
 * `WKG_REGISTRY_<HOST>_AUTH_BEARER`, then configured credentials, then the Docker config
 * (`auths`, `credHelpers`, `credsStore`), then none. Evaluated once, when a registry first
 * asks; a Docker config that cannot be used is reported and skipped.
 */
export function credentialChain(registry: string, options: CredentialChainOptions): CredentialSource {
  const logger = options.logger ?? noopLogger;
  let memo: Promise<Credentials> | undefined;
  return () => {
    memo ??= (async (): Promise<Credentials> => {
      const fromEnv = bearerFromEnv(registry, options.env);
      if (fromEnv) return fromEnv;
      if (options.explicit) return options.explicit;
      if (options.docker !== false) {
        try {
          const docker = await dockerCredentials(registry, { env: options.env, logger });
          if (docker) return docker;
        } catch (error) {
          if (isAbortError(error)) throw error;
          const err = error as { message: string; hint?: string };
          logger({
            type: "warn",
            message: `ignoring Docker credentials for ${registry}: ${err.message}`,
            ...(err.hint ? { hint: err.hint } : {}),
          });
        }
      }
      return ANONYMOUS;
    })();
    return memo;
  };
}
