/**
 * DKIM key pairs and the DNS record that publishes them (RFC 6376 §3.6.1).
 * RSA keys are published as the SubjectPublicKeyInfo in base64; Ed25519 keys
 * as the bare 32-byte public key (RFC 8463 §4.2), not the SPKI structure.
 */
import crypto from "node:crypto";
import { AppError } from "../errors.ts";

export type DkimKeyType = "rsa" | "ed25519";

export interface DkimKeyPair {
  type: DkimKeyType;
  /** PKCS#8 PEM */
  privateKeyPem: string;
  /** the p= value of the DNS record */
  publicKeyBase64: string;
}

export function generateDkimKey(type: DkimKeyType, bits = 2048): DkimKeyPair {
  if (type === "rsa" && (bits < 1024 || bits > 4096)) {
    throw new AppError(
      "invalid_input",
      `--bits ${bits} is not valid; expected 2048 (the usual size; 1024 is weak, and keys over 4096 bits do not fit receivers' DNS limits)`,
    );
  }
  const pair =
    type === "rsa"
      ? crypto.generateKeyPairSync("rsa", { modulusLength: bits })
      : crypto.generateKeyPairSync("ed25519");
  return {
    type,
    privateKeyPem: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyBase64: publicKeyBase64(pair.publicKey),
  };
}

/** The p= value for a private or public key, as the DNS record must carry it. */
export function publicKeyBase64(key: crypto.KeyObject): string {
  const publicKey = key.type === "private" ? crypto.createPublicKey(key) : key;
  const der = publicKey.export({ type: "spki", format: "der" });
  return (publicKey.asymmetricKeyType === "ed25519" ? der.subarray(der.length - 32) : der).toString(
    "base64",
  );
}

/** `v=DKIM1; k=rsa; p=...`: the TXT record's text, as one string. */
export function dkimRecordText(type: DkimKeyType, publicKey: string): string {
  return `v=DKIM1; k=${type}; p=${publicKey}`;
}

/**
 * The zone-file line: one TXT record made of quoted strings of at most 255
 * characters each (RFC 1035 §3.3.14 character-strings), which resolvers join.
 */
export function dkimZoneLine(selector: string, domain: string, text: string): string {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 255) chunks.push(`"${text.slice(i, i + 255)}"`);
  return `${dkimRecordName(selector, domain)}. IN TXT ( ${chunks.join(" ")} )`;
}

export function dkimRecordName(selector: string, domain: string): string {
  return `${selector}._domainkey.${domain}`;
}

/** The tags of a DKIM key record (RFC 6376 §3.6.1), e.g. from a DNS answer. */
export function parseDkimRecord(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    tags.set(part.slice(0, eq).trim(), part.slice(eq + 1).replace(/\s+/g, ""));
  }
  return tags;
}
