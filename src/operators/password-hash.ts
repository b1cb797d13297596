/**
 * Operator passwords: scrypt (RFC 7914) with a random 16-byte salt per
 * password. The stored string carries its own parameters,
 * "scrypt$<N>$<r>$<p>$<salt>$<hash>" (base64url), so the cost can be raised
 * later without breaking the hashes already stored.
 */
import crypto from "node:crypto";
import { promisify } from "node:util";

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

// N=2^15, r=8: 32 MiB and about 50-100 ms per attempt on one core; enough to make
// guessing slow, cheap enough that a burst of sign-ins does not starve the worker.
const cost = { N: 2 ** 15, r: 8, p: 1 };
const keyLength = 32;

function maxmemOf(N: number, r: number): number {
  return 128 * N * r * 2;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, keyLength, {
    ...cost,
    maxmem: maxmemOf(cost.N, cost.r),
  });
  return [
    "scrypt",
    cost.N,
    cost.r,
    cost.p,
    salt.toString("base64url"),
    hash.toString("base64url"),
  ].join("$");
}

/** Constant-time over the derived keys; a malformed stored string never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (![N, R, P].every((v) => Number.isInteger(v) && v > 0)) return false;
  const expected = Buffer.from(hash, "base64url");
  const given = await scrypt(password, Buffer.from(salt, "base64url"), expected.length, {
    N,
    r: R,
    p: P,
    maxmem: maxmemOf(N, R),
  });
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** A password to print once: 18 random bytes, 24 characters of base64url. */
export function generatePassword(): string {
  return crypto.randomBytes(18).toString("base64url");
}
