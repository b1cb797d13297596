/**
 * Session ids and API tokens are stored only as a keyed hash (HMAC-SHA256):
 * someone holding a copy of the database can neither sign in with a row nor
 * test guesses offline without the key. The key is derived (HKDF, RFC 5869)
 * from SUPPRESSION_KEY, which is stable and secret already, under a label of
 * its own so the two uses never share a key.
 */
import crypto from "node:crypto";

const keys = new Map<string, Buffer>();

function credentialKey(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(
      crypto.hkdfSync("sha256", secret, "mailsteward", "operator credentials v1", 32),
    );
    keys.set(secret, key);
  }
  return key;
}

export function hashCredential(secret: string, value: string, purpose: string): string {
  return crypto
    .createHmac("sha256", credentialKey(secret))
    .update(`${purpose}\0${value}`)
    .digest("base64url");
}

/** 32 random bytes, base64url, behind a prefix that says what it is (`mss_` session, `mso_` API token). */
export function newCredential(prefix: string): string {
  return prefix + crypto.randomBytes(32).toString("base64url");
}
