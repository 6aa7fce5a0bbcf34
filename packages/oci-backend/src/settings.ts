import { Registry, WkgError } from "@wasm-pkg/common";
import { type Credentials, parseConfigAuth } from "./auth/credentials.js";

/** `[registry."<name>".oci]`, validated. */
export interface OciSettings {
  credentials: Credentials | undefined;
  protocol: "http" | "https" | undefined;
  acceptInvalidCertificates: boolean;
  /** PEM certificates trusted on top of the system roots. */
  extraRootCertificates: string[];
}

const KNOWN = new Set(["auth", "protocol", "accept_invalid_certificates", "extra_root_certificates"]);

/**
 * Validate the backend's config table. Errors name the table and key; unknown keys are
 * returned so the caller can warn about typos (upstream ignores them silently).
 */
export function parseOciSettings(raw: unknown, where: string): { settings: OciSettings; unknownKeys: string[] } {
  const settings: OciSettings = {
    credentials: undefined,
    protocol: undefined,
    acceptInvalidCertificates: false,
    extraRootCertificates: [],
  };
  if (raw === undefined || raw === null) return { settings, unknownKeys: [] };
  if (typeof raw !== "object" || Array.isArray(raw)) throw new WkgError("INVALID_CONFIG", `${where} must be a table`);
  const table = raw as Record<string, unknown>;
  if (table.auth !== undefined) settings.credentials = parseConfigAuth(table.auth, `${where}.auth`);
  if (table.protocol !== undefined) {
    if (table.protocol !== "http" && table.protocol !== "https") {
      throw new WkgError("INVALID_CONFIG", `${where}.protocol: Unknown OCI protocol ${JSON.stringify(table.protocol)}`, {
        hint: 'use protocol = "https" (the default) or "http"',
      });
    }
    settings.protocol = table.protocol;
  }
  if (table.accept_invalid_certificates !== undefined) {
    if (typeof table.accept_invalid_certificates !== "boolean") {
      throw new WkgError("INVALID_CONFIG", `${where}.accept_invalid_certificates must be true or false`);
    }
    settings.acceptInvalidCertificates = table.accept_invalid_certificates;
  }
  if (table.extra_root_certificates !== undefined) {
    if (!Array.isArray(table.extra_root_certificates)) {
      throw new WkgError("INVALID_CONFIG", `${where}.extra_root_certificates must be a list of { encoding, data } tables`);
    }
    settings.extraRootCertificates = table.extra_root_certificates.map((entry, i) =>
      certificate(entry, `${where}.extra_root_certificates[${i}]`),
    );
  }
  return { settings, unknownKeys: Object.keys(table).filter((k) => !KNOWN.has(k)) };
}

function certificate(entry: unknown, where: string): string {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new WkgError("INVALID_CONFIG", `${where} must be a table { encoding = "pem" | "der", data = "…" }`);
  }
  const { encoding = "pem", data } = entry as { encoding?: unknown; data?: unknown };
  if (typeof data !== "string" || data.trim() === "") throw new WkgError("INVALID_CONFIG", `${where}.data must be a non-empty string`);
  if (encoding === "pem") {
    if (!data.includes("-----BEGIN CERTIFICATE-----")) {
      throw new WkgError("INVALID_CONFIG", `${where}.data is not a PEM certificate (no BEGIN CERTIFICATE line)`);
    }
    return data;
  }
  if (encoding === "der") {
    // DER is binary, so in TOML it can only be base64: re-wrap it as PEM for Node's TLS.
    const compact = data.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new WkgError("INVALID_CONFIG", `${where}.data must be base64 for encoding = "der"`);
    const lines = compact.match(/.{1,64}/g) ?? [];
    return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
  }
  throw new WkgError("INVALID_CONFIG", `${where}.encoding must be "pem" or "der", not ${JSON.stringify(encoding)}`);
}

/** The `oci` block of registry.json: where the packages really live. */
export interface OciMetadata {
  registry: string | undefined;
  namespacePrefix: string;
}

export function parseOciMetadata(raw: unknown, where: string): OciMetadata {
  if (raw === undefined || raw === null) return { registry: undefined, namespacePrefix: "" };
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new WkgError("INVALID_REGISTRY_METADATA", `${where}: the oci block must be an object`);
  const block = raw as Record<string, unknown>;
  let registry: string | undefined;
  if (block.registry !== undefined) {
    if (typeof block.registry !== "string") throw new WkgError("INVALID_REGISTRY_METADATA", `${where}: oci.registry must be a string`);
    registry = Registry.parse(block.registry).authority;
  }
  let namespacePrefix = "";
  if (block.namespacePrefix !== undefined) {
    if (typeof block.namespacePrefix !== "string")
      throw new WkgError("INVALID_REGISTRY_METADATA", `${where}: oci.namespacePrefix must be a string`);
    namespacePrefix = block.namespacePrefix;
  }
  return { registry, namespacePrefix };
}

/** `WKG_OCI_INSECURE` / `--insecure`: a comma list of hosts reached over plain http (empty entries ignored). */
export function parseInsecureHosts(value: string | string[] | undefined): string[] {
  const items = Array.isArray(value) ? value : (value ?? "").split(",");
  return items.map((h) => h.trim().toLowerCase()).filter(Boolean);
}
