import { AppError } from "../errors.ts";

export interface SigningKey {
  /** short id carried in every token, so old keys keep verifying after rotation */
  id: string;
  secret: Buffer;
}

/**
 * "k2:BASE64,k1:BASE64": the first key signs new tokens, every key verifies.
 * Rotate by putting a new key first and keeping the old one until its links
 * may be dropped.
 */
export function parseSigningKeys(value: string, variable: string): SigningKey[] {
  const parts = value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  // Errors name an entry by its position and never quote it: an entry is a secret, even a malformed one.
  const keys = parts.map((part, index) => {
    const entry = `entry ${index + 1} of ${parts.length}`;
    const colon = part.indexOf(":");
    const id = part.slice(0, colon);
    if (colon < 1 || !/^[A-Za-z0-9_-]{1,16}$/.test(id)) {
      throw new AppError(
        "config",
        `${variable}: ${entry} is not KEYID:BASE64; expected a key id of 1-16 letters, digits, - or _, a colon, then the base64 key (such as k1:$(openssl rand -base64 32))`,
      );
    }
    const secret = Buffer.from(part.slice(colon + 1), "base64");
    if (secret.length < 32) {
      throw new AppError(
        "config",
        `${variable}: ${entry} (key id "${id}") has ${secret.length} bytes; expected at least 32 (openssl rand -base64 32)`,
      );
    }
    return { id, secret };
  });
  if (keys.length === 0)
    throw new AppError("config", `${variable}: no keys; expected KEYID:BASE64[,KEYID:BASE64...]`);
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new AppError("config", `${variable}: key ids must be unique`);
  return keys;
}

export function formatSigningKeys(keys: SigningKey[]): string {
  return keys.map((k) => `${k.id}:${k.secret.toString("base64")}`).join(",");
}
