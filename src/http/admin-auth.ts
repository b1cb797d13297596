import crypto from "node:crypto";

/**
 * Whether an `Authorization` header carries the admin bearer token. Both sides
 * are hashed first so the comparison is constant-time over equal-length
 * digests and leaks neither the token's contents nor its length.
 */
export function isAdminAuthorised(
  adminToken: string | undefined,
  header: string | undefined,
): boolean {
  if (adminToken === undefined || header === undefined) return false;
  // RFC 6750 §2.1: "Bearer" is case-insensitive, then one space, then the token.
  const match = /^bearer ([\x21-\x7e]+)\s*$/i.exec(header);
  if (!match?.[1]) return false;
  const given = crypto.createHash("sha256").update(match[1]).digest();
  const expected = crypto.createHash("sha256").update(adminToken).digest();
  return crypto.timingSafeEqual(given, expected);
}
