// Issue 7, pure pieces: proxy trust, config errors that never quote secrets,
// address limits and IDN, field limits, header folding, confirmation tokens
// and the Origin check.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.ts";
import { parseTrustProxy } from "../../src/config/trust-proxy.ts";
import { mailboxOf, parseEmail } from "../../src/contacts/contact-row.ts";
import { fieldProblem } from "../../src/contacts/field-limits.ts";
import { isAppError } from "../../src/errors.ts";
import { isAllowedOrigin } from "../../src/http/same-origin.ts";
import { createMessageBuilder } from "../../src/newsletters/build-message.ts";
import { signConfirmToken, verifyConfirmToken } from "../../src/unsubscribe/confirm-token.ts";
import { signToken } from "../../src/unsubscribe/tokens.ts";

const secret = Buffer.alloc(32, 5).toString("base64");
const production = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x",
  SIGNING_KEYS: `k1:${secret}`,
  SUPPRESSION_KEY: "s".repeat(40),
};
function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env, () => {});
  } catch (error) {
    if (isAppError(error, "config")) return error.message;
    throw error;
  }
  throw new Error("expected a config error");
}

describe("TRUST_PROXY", () => {
  it("takes a hop count or proxy addresses, and refuses true", () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy("2")).toBe(2);
    expect(parseTrustProxy("10.0.0.2, 10.1.0.0/16,::1")).toEqual([
      "10.0.0.2",
      "10.1.0.0/16",
      "::1",
    ]);
    expect(configError({ ...production, TRUST_PROXY: "true" })).toMatch(
      /"true" would trust whatever X-Forwarded-For a client sends; give the number of proxies/,
    );
    expect(configError({ ...production, TRUST_PROXY: "10.0.0.2,proxy.local" })).toMatch(
      /entry 2 \("proxy.local"\) is not an IP address/,
    );
    expect(loadConfig({ ...production, TRUST_PROXY: "1" }, () => {}).http.maxConnectionsPerIp).toBe(
      0,
    );
    expect(loadConfig(production, () => {}).http.maxConnectionsPerIp).toBe(512);
  });
});

describe("configuration errors never print a secret", () => {
  it("names a SIGNING_KEYS entry without a key id by position", () => {
    const message = configError({ ...production, SIGNING_KEYS: `k1:${secret},${secret}` });
    expect(message).toMatch(/SIGNING_KEYS: entry 2 of 2 is not KEYID:BASE64; expected a key id/);
    expect(message).not.toContain(secret);
    expect(message).not.toContain(secret.slice(0, 8));
  });

  it("says where CONFIG_FILE's JSON breaks, not what it holds", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ms-hardening-"));
    const file = path.join(dir, "c.json");
    fs.writeFileSync(file, `{"SIGNING_KEYS": "k1:${secret}" "ADMIN_TOKEN": "x"}`);
    const message = configError({ ...production, CONFIG_FILE: file });
    expect(message).toMatch(/is not JSON \(at character \d+\)/);
    expect(message).not.toContain(secret);
    fs.writeFileSync(path.join(dir, "secrets.json"), `{"signingKeys": "k1:${secret}",`);
    const broken = configError({ DATA_DIR: dir });
    expect(broken).toMatch(/secrets.json is not a JSON object of secrets; restore it/);
    expect(broken).not.toContain(secret);
    fs.rmSync(dir, { recursive: true });
  });
});

describe("addresses and fields", () => {
  it("applies RFC 5321's 64/255 limits, refuses control characters, punycodes IDN domains", () => {
    expect(parseEmail(`${"a".repeat(64)}@example.com`)).toBe(`${"a".repeat(64)}@example.com`);
    expect(parseEmail(`${"a".repeat(65)}@example.com`)).toBeUndefined();
    expect(parseEmail(`a@${"b".repeat(64)}.com`)).toBeUndefined(); // a label over 63
    expect(
      parseEmail(`a@${Array.from({ length: 5 }, () => "c".repeat(60)).join(".")}.com`),
    ).toBeUndefined();
    expect(parseEmail("Ann@Bücher.Example")).toBe("ann@xn--bcher-kva.example");
    expect(parseEmail("ann@xn--bcher-kva.example")).toBe("ann@xn--bcher-kva.example");
    expect(parseEmail("jörg@example.com")).toBeUndefined();
    for (const bad of [
      "a\u0000@example.com",
      "a@example.com\u0000",
      "a\r\n@example.com",
      "a\u0085@example.com",
    ])
      expect(parseEmail(bad), JSON.stringify(bad)).toBeUndefined();
    expect(mailboxOf("ann+news@example.com")).toBe("ann@example.com");
    expect(mailboxOf("ann@example.com")).toBe("ann@example.com");
  });

  it("limits field lengths and control characters; notes keep line breaks", () => {
    expect(fieldProblem("name", "x".repeat(200))).toBeUndefined();
    expect(fieldProblem("name", "x".repeat(201))).toMatch(/at most 200/);
    expect(fieldProblem("name", "a\nb")).toMatch(/control character/);
    expect(fieldProblem("notes", "a\r\nb\tc")).toBeUndefined();
    expect(fieldProblem("notes", "a\u0000b")).toMatch(/control character/);
  });
});

describe("header lines", () => {
  it("a 100,000-character name never makes a header line over 998 characters", async () => {
    const build = createMessageBuilder({ from: "News <news@example.com>", boundary: "b" });
    for (const name of ["x".repeat(100_000), "é".repeat(50_000), `"quoted" ${"y".repeat(5000)}`]) {
      const raw = await build({
        to: "ann@example.com",
        toName: name,
        subject: "s".repeat(5000),
        html: "<p>x</p>",
        text: "x",
        messageId: "m@example.com",
        date: new Date(0),
        headers: [],
      });
      const head = raw.toString("utf8").split("\r\n\r\n")[0]!;
      const longest = Math.max(...head.split("\r\n").map((l) => l.length));
      expect(longest).toBeLessThanOrEqual(998);
      expect(head).toMatch(/^To: /m);
    }
  });
});

describe("confirmation tokens", () => {
  const keys = [{ id: "k1", secret: Buffer.alloc(32, 1) }];
  it("carry the request and the issue time; old, forged or tampered tokens are refused", () => {
    const issuedAt = new Date("2026-11-01T10:00:00Z");
    const token = signConfirmToken(keys, { requestId: 4711, issuedAt });
    expect(verifyConfirmToken(keys, token.toUpperCase())).toEqual({ requestId: 4711, issuedAt });
    const refused = (t: string) => {
      try {
        verifyConfirmToken(keys, t);
        return false;
      } catch (error) {
        return isAppError(error, "invalid_token");
      }
    };
    expect(refused(token.slice(0, -1) + (token.endsWith("a") ? "b" : "a"))).toBe(true);
    expect(
      refused(
        signConfirmToken([{ id: "k1", secret: Buffer.alloc(32, 2) }], {
          requestId: 4711,
          issuedAt,
        }),
      ),
    ).toBe(true);
    // The confirm links sent before this change: deterministic, never expiring.
    expect(refused(signToken(keys, { contactId: 4711, list: "news", purpose: "confirm" }))).toBe(
      true,
    );
    expect(
      refused(signToken(keys, { contactId: 4711, list: "news", purpose: "unsubscribe" })),
    ).toBe(true);
  });
});

describe("the Origin check", () => {
  const allowed = ["https://news.example.com"];
  it("allows our origin, the request's own host, and clients that send neither header", () => {
    expect(isAllowedOrigin({ origin: "https://news.example.com" }, allowed)).toBe(true);
    expect(
      isAllowedOrigin({ origin: "http://127.0.0.1:9000", host: "127.0.0.1:9000" }, allowed),
    ).toBe(true);
    expect(isAllowedOrigin({ referer: "https://news.example.com/u/x" }, allowed)).toBe(true);
    expect(isAllowedOrigin({}, allowed)).toBe(true);
    expect(isAllowedOrigin({ origin: "https://evil.example" }, allowed)).toBe(false);
    expect(isAllowedOrigin({ origin: "null" }, allowed)).toBe(false);
    expect(
      isAllowedOrigin({ referer: "https://evil.example/x", host: "news.example.com" }, allowed),
    ).toBe(false);
  });
});
