import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.ts";
import { compactUidSet } from "../../src/adapters/imap-inbox-session.ts";
import { normaliseSubject } from "../../src/inbox/match-thread.ts";
import {
  envelopeSender,
  plusToken,
  signBounceToken,
  verifyBounceToken,
} from "../../src/newsletters/bounce-token.ts";
import { signToken } from "../../src/unsubscribe/tokens.ts";

const base = {
  SIGNING_KEYS: `k1:${Buffer.alloc(32, 1).toString("base64")}`,
  SUPPRESSION_KEY: "unit-suppression-key-0123456789abcdef",
  ADMIN_TOKEN: "unit-admin-token-0123456789abcdef",
  DATABASE_URL: "postgresql://x@127.0.0.1:5432/x",
  MAIL_FROM: "News <news@example.com>",
};
const load = (env: Record<string, string>) => loadConfig({ ...base, ...env }, () => {});

describe("watched mailbox configuration", () => {
  it("reads roles, folders and credentials; a team mailbox is watched in and out", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "inbox-config-")), "pw");
    fs.writeFileSync(file, "from-a-file\n");
    const config = load({
      INBOX_MAILBOXES: "bounces, sales",
      INBOX_BOUNCES_URL: "imaps://bounces%40example.com@imap.example.com",
      INBOX_BOUNCES_PASSWORD: "inline-secret",
      INBOX_SALES_URL: "imap://sales%40example.com@10.0.0.2:1143/Kunder",
      INBOX_SALES_PASSWORD_FILE: file,
      INBOX_SALES_TLS_VERIFY: "false",
    });
    const [bounces, sales, sent] = config.inbox.mailboxes;
    expect(bounces).toMatchObject({
      key: "bounces",
      role: "bounce",
      direction: "in",
      host: "imap.example.com",
      port: 993,
      secure: true,
      tlsVerify: true,
      folder: { path: "INBOX" },
    });
    expect(bounces!.credentials()).toEqual({ user: "bounces@example.com", pass: "inline-secret" });
    expect(sales).toMatchObject({
      key: "sales",
      role: "team",
      port: 1143,
      secure: false,
      tlsVerify: false,
    });
    expect(sales!.folder).toEqual({ path: "Kunder" });
    expect(sent).toMatchObject({
      key: "sales:sent",
      direction: "out",
      folder: { specialUse: "\\Sent" },
    });
    expect(sales!.credentials().pass).toBe("from-a-file");
    // the password is not a property: printing the config cannot show it
    expect(JSON.stringify(config)).not.toContain("inline-secret");
    expect(JSON.stringify(config)).not.toContain("from-a-file");
  });

  it("refuses a password in the URL, a missing password, and an unknown role, naming the variable", () => {
    expect(() =>
      load({ INBOX_MAILBOXES: "x", INBOX_X_URL: "imaps://u:secret@h", INBOX_X_PASSWORD: "p" }),
    ).toThrow(/INBOX_X_URL carries a password/);
    expect(() => load({ INBOX_MAILBOXES: "x", INBOX_X_URL: "imaps://u@h" })).toThrow(
      /INBOX_X_PASSWORD or INBOX_X_PASSWORD_FILE is missing/,
    );
    expect(() =>
      load({
        INBOX_MAILBOXES: "x",
        INBOX_X_URL: "imaps://u@h",
        INBOX_X_PASSWORD: "p",
        INBOX_X_ROLE: "spam",
      }),
    ).toThrow(/INBOX_X_ROLE \(got "spam"\)/);
    expect(() => load({ INBOX_MAILBOXES: "x" })).toThrow(/INBOX_X_URL is missing/);
  });
});

describe("VERP bounce tokens", () => {
  const config = load({ BOUNCE_ADDRESS: "bounces@example.com", BOUNCE_VERP: "true" });

  it("round-trips the delivery through bounces+TOKEN@, within the 64-octet local part", () => {
    const address = envelopeSender(config, { campaignId: 12345, contactId: 987654 });
    expect(address).toMatch(/^bounces\+[a-z2-7]+@example\.com$/);
    expect(address.split("@")[0]!.length).toBeLessThanOrEqual(64);
    // relays may change the case of the local part (RFC 5321 §2.4)
    expect(verifyBounceToken(config.signingKeys, plusToken(address.toUpperCase())!)).toEqual({
      campaignId: 12345,
      contactId: 987654,
    });
  });

  it("an unsubscribe token is not a bounce token, nor the reverse; a forged one is nothing", () => {
    const unsubscribe = signToken(config.signingKeys, {
      contactId: 5,
      list: "c7",
      purpose: "unsubscribe",
    });
    expect(verifyBounceToken(config.signingKeys, unsubscribe)).toBeNull();
    const bounce = signBounceToken(config.signingKeys, { campaignId: 7, contactId: 5 });
    expect(verifyBounceToken(config.signingKeys, bounce.slice(0, -2) + "aa")).toBeNull();
    expect(envelopeSender(load({}), { campaignId: 1, contactId: 1 })).toBe("news@example.com");
  });
});

describe("small helpers", () => {
  it("compacts UID sets and strips reply prefixes in several languages", () => {
    expect(compactUidSet([5, 3, 4, 9, 10, 12, 3])).toBe("3:5,9:10,12");
    expect(normaliseSubject("SV: Re: AW: Fwd:  Nyhetsbrev  november")).toBe("nyhetsbrev november");
    expect(normaliseSubject("Antw: Doorst: nieuws")).toBe("nieuws");
  });
});
