/**
 * Confirmation links name one pending request and when they were issued, so
 * a link stops working when it expires or when a newer request (or an
 * unsubscribe) has replaced the one it was sent for. Unsubscribe links stay
 * as tokens.ts describes them: deterministic and long-lived, since a
 * newsletter in someone's inbox must keep working.
 *
 *   payload = version 2 (1 byte) | key id length (1) | key id | request id (unsigned LEB128)
 *             | issued at, seconds since 1970 (unsigned LEB128)
 *   mac     = first 16 bytes of HMAC-SHA256(key, "mailsteward-confirm" 0x00 | payload)
 *
 * Encoded as tokens.ts does (lowercase base32, no padding). The MAC's domain
 * differs from the other tokens', so neither can stand for the other.
 */
import crypto from "node:crypto";
import type { SigningKey } from "../config/signing-keys.ts";
import { AppError } from "../errors.ts";
import { leb128, readLeb128 } from "./leb128.ts";
import { base32Decode, base32Encode } from "./tokens.ts";

export interface ConfirmScope {
  requestId: number;
  issuedAt: Date;
}

const VERSION = 2;
const MAC_BYTES = 16;
const DOMAIN = Buffer.from("mailsteward-confirm\0", "utf8");

export function signConfirmToken(keys: SigningKey[], scope: ConfirmScope): string {
  const key = keys[0];
  if (!key)
    throw new AppError("config", "no signing key; set SIGNING_KEYS=k1:$(openssl rand -base64 32)");
  const id = Buffer.from(key.id, "utf8");
  const payload = Buffer.concat([
    Buffer.of(VERSION, id.length),
    id,
    leb128(scope.requestId),
    leb128(Math.floor(scope.issuedAt.getTime() / 1000)),
  ]);
  return base32Encode(Buffer.concat([payload, mac(key.secret, payload)]));
}

/** Throws AppError("invalid_token") on anything wrong; expiry is the caller's (it holds the clock). */
export function verifyConfirmToken(keys: SigningKey[], token: string): ConfirmScope {
  const lower = typeof token === "string" ? token.toLowerCase() : "";
  if (lower.length === 0 || lower.length > 200)
    throw invalid(`expected 20-200 base32 characters, got ${lower.length}`);
  const bytes = base32Decode(lower);
  if (!bytes || base32Encode(bytes) !== lower || bytes.length <= MAC_BYTES + 4)
    throw invalid("it is not a confirmation token");
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
  const given = bytes.subarray(bytes.length - MAC_BYTES);
  const parsed = decode(payload);
  const key = parsed ? keys.find((k) => k.id === parsed.keyId) : undefined;
  // A MAC is computed whatever was wrong, so timing says nothing about which part failed.
  const expected = mac(key?.secret ?? DOMAIN, payload);
  if (!crypto.timingSafeEqual(expected, given) || !key || !parsed)
    throw invalid(
      payload[0] === 1
        ? "it is from an older kind of confirmation link; ask for a new one"
        : "its signature does not match",
    );
  return { requestId: parsed.requestId, issuedAt: new Date(parsed.issuedSeconds * 1000) };
}

function invalid(reason: string): AppError {
  return new AppError("invalid_token", `this link's token is not valid: ${reason}`);
}

function mac(secret: Buffer, payload: Buffer): Buffer {
  return crypto
    .createHmac("sha256", secret)
    .update(DOMAIN)
    .update(payload)
    .digest()
    .subarray(0, MAC_BYTES);
}

function decode(
  payload: Buffer,
): { keyId: string; requestId: number; issuedSeconds: number } | null {
  let at = 0;
  const version = payload[at++] ?? 0;
  if (version !== VERSION) return null;
  const idLength = payload[at++] ?? 0;
  if (idLength === 0 || at + idLength > payload.length) return null;
  const keyId = payload.toString("utf8", at, at + idLength);
  at += idLength;
  const requestId = readLeb128(payload, at);
  if (!requestId) return null;
  const issued = readLeb128(payload, requestId.next);
  if (!issued || issued.next !== payload.length) return null;
  return { keyId, requestId: requestId.value, issuedSeconds: issued.value };
}
