import { describe, expect, it } from "vitest";
import { bounceVerdict, reasonFromStatus, verdictOf } from "../../src/inbox/bounce-verdict.ts";
import { smtpCodes } from "../../src/inbox/read-bounce-text.ts";

/** Servers' words as they come in real DSNs and notices, with the verdict each must get. */
const cases: Array<[string, "hard" | "soft" | "policy" | "unknown", string | null]> = [
  ["550 5.1.1 The email account that you tried to reach does not exist.", "hard", null],
  [
    "550 5.1.1 <a@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
    "hard",
    null,
  ],
  ["550 5.4.1 Recipient address rejected: Access denied. AS(201806281)", "hard", null],
  [
    "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    "hard",
    null,
  ],
  ["550 5.1.2 Host unknown (Name server: example.invalid: host not found)", "hard", null],
  ["Domain example.org does not accept mail (nullMX)", "hard", null],
  ["550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550", "hard", null],
  ["550 Requested action not taken: mailbox unavailable", "hard", null],
  ["552 5.2.2 The recipient's inbox is out of storage space.", "soft", null],
  ["550 5.2.1 The email account that you tried to reach is disabled.", "soft", null],
  ["552 5.3.4 Message size exceeds fixed maximum message size", "soft", null],
  ["421 4.7.0 Try again later, closing connection.", "soft", null],
  ["451 4.7.1 Greylisting in action, please come back later", "soft", null],
  [
    "450 4.7.1 <a@example.net>: Recipient address rejected: Greylisted, see https://postgrey",
    "soft",
    null,
  ],
  ["554 5.4.14 Hop count exceeded - possible mail loop", "soft", null],
  ["connect to mx.example.net[192.0.2.77]:25: Connection timed out", "soft", "delayed"],
  [
    "550 5.7.1 Service unavailable, Client host [192.0.2.10] blocked using Spamhaus",
    "policy",
    null,
  ],
  ["550 5.7.606 Access denied, banned sending IP [192.0.2.10]", "policy", null],
  [
    "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP",
    "policy",
    null,
  ],
  ["554 5.7.1 <a@example.net>: Relay access denied", "policy", null],
  ["550 5.7.1 Message rejected as spam by Content Filtering.", "policy", null],
  [
    "550 5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy",
    "policy",
    null,
  ],
  [
    "553 5.1.8 <bounces@example.org>... Domain of sender address bounces@example.org does not exist",
    "policy",
    null,
  ],
  ["550 Rejected by header based Anti-Spoofing policy", "policy", null],
  ["554 5.6.0 Message contains invalid header", "policy", null],
  ["554 5.7.0 Reject, id=12345-01 - VIRUS: Eicar-Test-Signature", "policy", null],
  ["554 5.7.9 Message not accepted for policy reasons", "policy", null],
  [
    "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP",
    "policy",
    null,
  ],
  ["", "unknown", null],
];

describe("bounceVerdict: the server's words and code -> will mail get through later?", () => {
  it.each(cases)("%s -> %s", (words, verdict, action) => {
    const { status, smtpCode } = smtpCodes(words);
    expect(bounceVerdict({ status, action, diagnostic: words || null, smtpCode }).verdict).toBe(
      verdict,
    );
  });

  it("an Action of delayed is a warning: soft, even with a 5.x.x code and no words", () => {
    expect(bounceVerdict({ status: "5.1.1", action: "delayed", diagnostic: null }).verdict).toBe(
      "soft",
    );
  });

  it("a 4.x.x code alone is soft; a 5.x.x code alone goes by its subject", () => {
    expect(bounceVerdict({ status: "4.0.0", action: null, diagnostic: null }).verdict).toBe("soft");
    expect(bounceVerdict({ status: "5.1.1", action: "failed", diagnostic: null }).verdict).toBe(
      "hard",
    );
    expect(bounceVerdict({ status: "5.2.2", action: "failed", diagnostic: null }).verdict).toBe(
      "soft",
    );
    expect(bounceVerdict({ status: "5.7.1", action: "failed", diagnostic: null }).verdict).toBe(
      "policy",
    );
    expect(bounceVerdict({ status: "5.0.0", action: "failed", diagnostic: null }).verdict).toBe(
      "unknown",
    );
  });

  it("RFC 3463 subjects map to sisimai's reasons", () => {
    expect(
      [
        "5.1.1",
        "5.1.2",
        "5.1.6",
        "5.1.8",
        "5.1.10",
        "5.2.1",
        "5.2.2",
        "5.3.4",
        "5.4.4",
        "5.4.7",
        "5.6.1",
        "5.7.26",
        "5.7.1",
      ].map(reasonFromStatus),
    ).toEqual([
      "userunknown",
      "hostunknown",
      "hasmoved",
      "rejected",
      "hostunknown",
      "suspend",
      "mailboxfull",
      "mesgtoobig",
      "hostunknown",
      "expired",
      "contenterror",
      "authfailure",
      "policyviolation",
    ]);
    expect(verdictOf("userunknown")).toBe("hard");
    expect(verdictOf("suspend")).toBe("soft");
    expect(verdictOf("blocked")).toBe("policy");
    expect(verdictOf("undefined")).toBe("unknown");
  });

  it("codes are read from the words, not from IP addresses or version numbers", () => {
    expect(smtpCodes("host mx[192.0.2.5] said: 550-5.1.1 nope")).toEqual({
      status: "5.1.1",
      smtpCode: "550",
    });
    expect(smtpCodes("relay=[10.5.1.1] version 2.5.1.3")).toEqual({ status: null, smtpCode: null });
    expect(smtpCodes("Sorry, no mailbox here by that name. (#5.1.1)").status).toBe("5.1.1");
  });
});
