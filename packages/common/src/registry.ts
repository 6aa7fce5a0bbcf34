import { WkgError } from "./errors.js";

const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/;

/**
 * A registry name: an HTTP authority `host[:port]` (`wasi.dev`, `localhost:5000`, `[::1]:8080`).
 * Schemes and paths are rejected with a hint, because users often paste URLs.
 */
export class Registry {
  /** As given, lowercased (authorities compare case-insensitively). */
  readonly authority: string;
  readonly host: string;
  readonly port: number | undefined;

  private constructor(authority: string, host: string, port: number | undefined) {
    this.authority = authority;
    this.host = host;
    this.port = port;
  }

  static parse(text: string): Registry {
    const value = text.trim();
    const fail = (reason: string, hint?: string): never => {
      throw new WkgError("INVALID_REGISTRY", `invalid registry ${JSON.stringify(text)}: ${reason}`, {
        hint: hint ?? "a registry is a host with an optional port, e.g. `wasi.dev` or `localhost:5000`",
      });
    };
    if (value === "") fail("it is empty");
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      fail("it has a scheme", `drop the scheme: \`${value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/.*$/, "")}\``);
    }
    if (/[/?#\s@]/.test(value)) fail("only `host[:port]` is allowed (no path, query, credentials or spaces)");
    let host = value;
    let port: number | undefined;
    const portMatch = /^(.*):(\d+)$/.exec(value);
    if (portMatch && !(value.startsWith("[") && !value.includes("]:"))) {
      host = portMatch[1] as string;
      port = Number(portMatch[2]);
      if (port > 65535) fail(`port ${port} is out of range`);
    }
    if (!HOST.test(host)) fail(`${JSON.stringify(host)} is not a valid host name`);
    return new Registry(value.toLowerCase(), host.toLowerCase(), port);
  }

  static tryParse(text: string): Registry | undefined {
    try {
      return Registry.parse(text);
    } catch {
      return undefined;
    }
  }

  /** Loopback hosts get plain http by default, as upstream does for registry metadata. */
  get isLoopback(): boolean {
    return isLoopbackHost(this.host);
  }

  equals(other: Registry): boolean {
    return this.authority === other.authority;
  }

  toString(): string {
    return this.authority;
  }

  toJSON(): string {
    return this.authority;
  }
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "127.0.0.1" || h === "[::1]" || h === "::1" || h.endsWith(".localhost");
}
