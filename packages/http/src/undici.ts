import { createRequire } from "node:module";
import type * as Undici from "undici";

const require = createRequire(import.meta.url);

export interface UndiciParts {
  Agent: typeof Undici.Agent;
  EnvHttpProxyAgent: typeof Undici.EnvHttpProxyAgent;
  fetch: typeof Undici.fetch;
  Headers: typeof Undici.Headers;
  /** `parts` when loaded piecewise, `index` after falling back to the whole package. */
  source: "parts" | "index";
}

/**
 * The pieces of undici we use, loaded from their own modules. undici's index loads every
 * feature (WebSocket, EventSource, caching, mocks, ...): about 60 ms of a 250 ms `wkg get`.
 * undici has no `exports` map, so these paths resolve as files; should a release move them,
 * the whole package is loaded instead, slower but the same.
 */
function load(): UndiciParts {
  try {
    // What undici's index does for every dispatcher: proxy agents need `connect` from the API.
    Object.assign(require("undici/lib/dispatcher/dispatcher.js").prototype, require("undici/lib/api/index.js"));
    return {
      Agent: require("undici/lib/dispatcher/agent.js"),
      EnvHttpProxyAgent: require("undici/lib/dispatcher/env-http-proxy-agent.js"),
      fetch: require("undici/lib/web/fetch/index.js").fetch,
      Headers: require("undici/lib/web/fetch/headers.js").Headers,
      source: "parts",
    };
  } catch {
    const full = require("undici") as typeof Undici;
    return { Agent: full.Agent, EnvHttpProxyAgent: full.EnvHttpProxyAgent, fetch: full.fetch, Headers: full.Headers, source: "index" };
  }
}

export const undici: UndiciParts = load();
