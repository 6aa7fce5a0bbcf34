import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureCommands } from "./debian.js";

const run = promisify(execFile);

export interface SelfSignedCert {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#8). */
  key: string;
  certPath: string;
  keyPath: string;
}

/**
 * A throwaway self-signed certificate made with openssl, valid for two days.
 * `kind: "ec"` (P-256) is fast to make and what the TLS registry uses; the token signer
 * uses RSA so its JWTs are RS256, the algorithm every registry accepts.
 */
export async function makeSelfSignedCert(
  dir: string,
  options: { name?: string; commonName?: string; kind?: "ec" | "rsa"; subjectAltName?: string } = {},
): Promise<SelfSignedCert> {
  await ensureCommands(["openssl"]);
  const name = options.name ?? "tls";
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const keyArgs = options.kind === "rsa" ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
  const san = options.subjectAltName ?? "IP:127.0.0.1,DNS:localhost";
  await run("openssl", [
    "req",
    "-x509",
    ...keyArgs,
    "-nodes",
    "-days",
    "2",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-subj",
    `/CN=${options.commonName ?? "127.0.0.1"}`,
    "-addext",
    `subjectAltName=${san}`,
  ]);
  return { cert: await readFile(certPath, "utf8"), key: await readFile(keyPath, "utf8"), certPath, keyPath };
}
