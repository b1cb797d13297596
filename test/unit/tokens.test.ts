import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { SigningKey } from "../../src/config/signing-keys.ts";
import { isAppError } from "../../src/errors.ts";
import { confirmUrl, unsubscribeMailto, unsubscribeUrl } from "../../src/unsubscribe/links.ts";
import { signToken, verifyToken, type TokenPurpose } from "../../src/unsubscribe/tokens.ts";

const key = (id: string): SigningKey => ({ id, secret: crypto.randomBytes(32) });
const k1 = key("k1");
const k2 = key("k2");

function rejects(
  keys: SigningKey[],
  token: string,
  purpose: TokenPurpose = "unsubscribe",
): boolean {
  try {
    verifyToken(keys, token, purpose);
    return false;
  } catch (error) {
    if (isAppError(error, "invalid_token")) return true;
    throw error;
  }
}

describe("signToken / verifyToken", () => {
  it("round-trips the scope for a list and for every list", () => {
    for (const scope of [
      { contactId: 1, list: "news", purpose: "unsubscribe" as const },
      { contactId: 2_147_483_647, list: null, purpose: "unsubscribe" as const },
      { contactId: 0, list: "product-updates-é", purpose: "confirm" as const },
    ]) {
      const token = signToken([k1], scope);
      expect(token).toMatch(/^[a-z2-7]+$/);
      expect(verifyToken([k1], token, scope.purpose)).toEqual(scope);
    }
  });

  it("keeps unsubscribe+TOKEN within the 64-octet local part for a typical scope", () => {
    const token = signToken([k1], { contactId: 123_456, list: "news", purpose: "unsubscribe" });
    expect(`unsubscribe+${token}`.length).toBeLessThanOrEqual(64);
  });

  it("carries a MAC of at least 128 bits", () => {
    const a = signToken([k1], { contactId: 5, list: "news", purpose: "unsubscribe" });
    // payload for k1/5/news is 1+1+2+1+1+4 = 10 bytes; the rest is MAC
    const bytes = Math.floor((a.length * 5) / 8);
    expect(bytes - 10).toBeGreaterThanOrEqual(16);
  });

  it("verifies the uppercase form (mail relays may change a local part's case)", () => {
    const token = signToken([k1], { contactId: 42, list: "news", purpose: "unsubscribe" });
    expect(verifyToken([k1], token.toUpperCase(), "unsubscribe")).toEqual({
      contactId: 42,
      list: "news",
      purpose: "unsubscribe",
    });
  });

  it("rejects a token signed with another secret under the same key id (forged)", () => {
    const forged = signToken([{ id: "k1", secret: crypto.randomBytes(32) }], {
      contactId: 42,
      list: "news",
      purpose: "unsubscribe",
    });
    expect(rejects([k1], forged)).toBe(true);
  });

  it("rejects every truncation", () => {
    const token = signToken([k1], { contactId: 42, list: "news", purpose: "unsubscribe" });
    for (let n = 0; n < token.length; n++) expect(rejects([k1], token.slice(0, n))).toBe(true);
    expect(rejects([k1], token + "a")).toBe(true);
  });

  it("rejects a change at every position", () => {
    const token = signToken([k1], { contactId: 42, list: "news", purpose: "unsubscribe" });
    for (let i = 0; i < token.length; i++) {
      for (const replacement of ["a", "q", "7", "z"]) {
        if (token[i] === replacement) continue;
        const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
        expect(rejects([k1], tampered), `position ${i} -> ${replacement}`).toBe(true);
      }
    }
  });

  it("rejects malformed input without throwing anything but invalid_token", () => {
    for (const bad of ["", "!!!!", "a".repeat(500), "abc=", "ü".repeat(40), "0189".repeat(10)]) {
      expect(rejects([k1], bad)).toBe(true);
    }
  });

  it("rejects a token used for another purpose", () => {
    const confirm = signToken([k1], { contactId: 42, list: "news", purpose: "confirm" });
    expect(rejects([k1], confirm, "unsubscribe")).toBe(true);
    const unsubscribe = signToken([k1], { contactId: 42, list: "news", purpose: "unsubscribe" });
    expect(rejects([k1], unsubscribe, "confirm")).toBe(true);
  });

  it("signs with the first key and verifies with any (rotation)", () => {
    const old = signToken([k1], { contactId: 7, list: "news", purpose: "unsubscribe" });
    const rotated = [k2, k1];
    expect(verifyToken(rotated, old, "unsubscribe").contactId).toBe(7);
    const fresh = signToken(rotated, { contactId: 7, list: "news", purpose: "unsubscribe" });
    expect(fresh).not.toBe(old);
    expect(verifyToken(rotated, fresh, "unsubscribe").contactId).toBe(7);
    expect(rejects([k1], fresh)).toBe(true);
  });

  it("rejects a token under a removed key", () => {
    const old = signToken([k1], { contactId: 7, list: "news", purpose: "unsubscribe" });
    expect(rejects([k2], old)).toBe(true);
  });

  it("binds the list: a token for one list never yields another or every list", () => {
    const news = signToken([k1], { contactId: 7, list: "news", purpose: "unsubscribe" });
    const scope = verifyToken([k1], news, "unsubscribe");
    expect(scope.list).toBe("news");
    const all = signToken([k1], { contactId: 7, list: null, purpose: "unsubscribe" });
    expect(all).not.toBe(news);
    expect(verifyToken([k1], all, "unsubscribe").list).toBeNull();
  });

  it("refuses to sign nonsense", () => {
    expect(() => signToken([k1], { contactId: -1, list: "news", purpose: "unsubscribe" })).toThrow(
      /contact id -1/,
    );
    expect(() => signToken([k1], { contactId: 1, list: "", purpose: "unsubscribe" })).toThrow(
      /list slug ""/,
    );
    expect(() => signToken([], { contactId: 1, list: "news", purpose: "unsubscribe" })).toThrow(
      /SIGNING_KEYS/,
    );
  });
});

describe("links", () => {
  const config = {
    publicBaseUrl: "https://news.example.com",
    unsubscribeAddress: "unsubscribe@example.com",
  };
  it("builds the https, mailto and confirm links", () => {
    expect(unsubscribeUrl(config, "abc")).toBe("https://news.example.com/u/abc");
    expect(unsubscribeMailto(config, "abc")).toBe(
      "mailto:unsubscribe+abc@example.com?subject=unsubscribe",
    );
    expect(confirmUrl(config, "abc")).toBe("https://news.example.com/confirm/abc");
  });
});
