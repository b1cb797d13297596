import crypto from "node:crypto";

/** The form every address is stored and compared in: trimmed, lower-cased. */
export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}

/**
 * HMAC-SHA256 of the normalised address under the suppression key: lets us
 * recognise an address we must never mail again without keeping the address.
 */
export function hashAddress(suppressionKey: string, address: string): string {
  return crypto
    .createHmac("sha256", suppressionKey)
    .update(normaliseAddress(address))
    .digest("hex");
}
