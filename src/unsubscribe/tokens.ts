/**
 * Signed, stateless tokens for unsubscribe and confirmation links.
 *
 * A token is `base32(payload || mac)`, lowercase, without padding (RFC 4648 §6),
 * so it can ride in an address local part (`unsubscribe+TOKEN@domain`), where
 * RFC 5321 §2.4 lets a relay change the case: verification is case-insensitive.
 *
 *   payload = version (1 byte) | key id length (1) | key id | contact id (unsigned LEB128)
 *             | list slug length (1; 0 = every list) | list slug (UTF-8)
 *   mac     = first 16 bytes (128 bits) of HMAC-SHA256(key, "mailsteward-token" 0x00 | payload | purpose)
 *
 * The purpose is bound by the MAC but not carried: a verifier states which
 * purpose it expects, so a confirmation token cannot unsubscribe and vice
 * versa. With key id "k1", list "news" and a 6-digit contact id the token is
 * about 45 characters, which keeps `unsubscribe+TOKEN` under RFC 5321's
 * 64-octet local-part limit; long slugs or key ids make it longer.
 */
import crypto from "node:crypto";
import type { SigningKey } from "../config/signing-keys.ts";
import { AppError } from "../errors.ts";
import { leb128, readLeb128 } from "./leb128.ts";

/** bounce: the VERP envelope sender of one delivery (src/newsletters/bounce-token.ts) */
export type TokenPurpose = "unsubscribe" | "confirm" | "bounce";

export interface TokenScope {
  contactId: number;
  /** list slug; null = every list */
  list: string | null;
  purpose: TokenPurpose;
}

const VERSION = 1;
const MAC_BYTES = 16;
const DOMAIN = Buffer.from("mailsteward-token\0", "utf8");
const PURPOSE_BYTE: Record<TokenPurpose, number> = { unsubscribe: 1, confirm: 2, bounce: 3 };
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function signToken(keys: SigningKey[], scope: TokenScope): string {
  const key = keys[0];
  if (!key)
    throw new AppError("config", "no signing key; set SIGNING_KEYS=k1:$(openssl rand -base64 32)");
  if (!Number.isSafeInteger(scope.contactId) || scope.contactId < 0) {
    throw new AppError(
      "invalid_input",
      `contact id ${scope.contactId} cannot be signed; expected a non-negative integer`,
    );
  }
  const payload = encodePayload(key.id, scope.contactId, scope.list);
  return base32Encode(Buffer.concat([payload, mac(key.secret, payload, scope.purpose)]));
}

/** Throws AppError("invalid_token") on anything wrong; never says which key or byte failed. */
export function verifyToken(keys: SigningKey[], token: string, purpose: TokenPurpose): TokenScope {
  const lower = typeof token === "string" ? token.toLowerCase() : "";
  if (lower.length === 0 || lower.length > 200)
    throw invalid(`expected 20-200 base32 characters, got ${lower.length}`);
  const bytes = base32Decode(lower);
  if (!bytes || base32Encode(bytes) !== lower)
    throw invalid("it is not lowercase base32 (a-z, 2-7) without padding");
  if (bytes.length <= MAC_BYTES) throw invalid("it is too short");
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
  const given = bytes.subarray(bytes.length - MAC_BYTES);
  const parsed = decodePayload(payload);
  if (!parsed) throw invalid("its contents are malformed or of an unknown version");
  const key = keys.find((k) => k.id === parsed.keyId);
  // Compute a MAC even for an unknown key id so timing says nothing about which ids exist.
  const expected = mac(key?.secret ?? DOMAIN, payload, purpose);
  if (!crypto.timingSafeEqual(expected, given) || !key) {
    throw invalid(
      key ? "its signature does not match" : "it was signed with a key that is no longer accepted",
    );
  }
  return { contactId: parsed.contactId, list: parsed.list, purpose };
}

function invalid(reason: string): AppError {
  return new AppError("invalid_token", `this link's token is not valid: ${reason}`);
}

function mac(secret: Buffer, payload: Buffer, purpose: TokenPurpose): Buffer {
  return crypto
    .createHmac("sha256", secret)
    .update(DOMAIN)
    .update(payload)
    .update(Buffer.of(PURPOSE_BYTE[purpose]))
    .digest()
    .subarray(0, MAC_BYTES);
}

function encodePayload(keyId: string, contactId: number, list: string | null): Buffer {
  const id = Buffer.from(keyId, "utf8");
  const slug = Buffer.from(list ?? "", "utf8");
  if (id.length < 1 || id.length > 255)
    throw new AppError("config", `signing key id "${keyId}" must be 1-255 bytes`);
  if (list !== null && (slug.length < 1 || slug.length > 255)) {
    throw new AppError(
      "invalid_input",
      `list slug "${list}" cannot be signed; expected 1-255 bytes, or null for every list`,
    );
  }
  return Buffer.concat([
    Buffer.of(VERSION, id.length),
    id,
    leb128(contactId),
    Buffer.of(slug.length),
    slug,
  ]);
}

function decodePayload(
  payload: Buffer,
): { keyId: string; contactId: number; list: string | null } | null {
  let at = 0;
  if (payload[at++] !== VERSION) return null;
  const idLength = payload[at++] ?? 0;
  if (idLength === 0 || at + idLength > payload.length) return null;
  const keyId = payload.toString("utf8", at, at + idLength);
  at += idLength;
  const id = readLeb128(payload, at);
  if (!id) return null;
  const contactId = id.value;
  at = id.next;
  const slugLength = payload[at++];
  if (slugLength === undefined || at + slugLength !== payload.length) return null;
  const list = slugLength === 0 ? null : payload.toString("utf8", at, at + slugLength);
  // Only the canonical encoding is accepted: one token per scope and key.
  if (!encodePayload(keyId, contactId, list).equals(payload)) return null;
  return { keyId, contactId, list };
}

export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer | null {
  const out = Buffer.alloc(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? DECODE[code]! : -1;
    if (value < 0) return null;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[at++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return out.subarray(0, at);
}
