import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseMime } from "../../src/adapters/parse-mime.ts";
import { isAppError } from "../../src/errors.ts";
import { classifyMessage } from "../../src/inbox/classify-message.ts";
import type { Classification } from "../../src/inbox/inbox-types.ts";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/eml");
const options = {
  unsubscribeAddresses: ["unsubscribe@news.example.org"],
  ownAddresses: ["bounces@news.example.org", "replies@news.example.org"],
};

async function classify(file: string): Promise<Classification> {
  try {
    return classifyMessage(await parseMime(readFileSync(path.join(dir, file))), options);
  } catch (error) {
    if (isAppError(error, "unparseable")) return { kind: "unparseable", reason: error.message };
    throw error;
  }
}

type Bounce = Extract<Classification, { kind: "bounce" }>;

describe("bounces: one recipient each, the verdict, the original Message-ID", () => {
  it.each([
    [
      "postfix-dsn-user-unknown.eml",
      "nosuchuser@example.net",
      "5.1.1",
      "failed",
      "hard",
      "c12.d345.a1b2c3@news.example.org",
    ],
    [
      "exim-user-unknown.eml",
      "gone.away@example.net",
      "5.1.1",
      null,
      "hard",
      "c12.d346.b9f1e0@news.example.org",
    ],
    [
      "qmail-bounce.eml",
      "jan.jansen@example.com",
      "5.1.1",
      null,
      "hard",
      "c12.d347.77aa01@news.example.org",
    ],
    [
      "sendmail-dsn-user-unknown.eml",
      "max.muster@example.de",
      "5.1.1",
      "failed",
      "hard",
      "c12.d348.4455aa@news.example.org",
    ],
    [
      "exchange-ndr-recipient-not-found.eml",
      "p.devries@contoso.nl",
      "5.1.10",
      "failed",
      "hard",
      "c12.d349.0f0f0f@news.example.org",
    ],
    [
      "gmail-dsn-mailbox-full.eml",
      "full.box@gmail.com",
      "5.2.2",
      "failed",
      "soft",
      "c12.d350.abab12@news.example.org",
    ],
    [
      "postfix-dsn-delayed.eml",
      "slow@example.net",
      "4.4.1",
      "delayed",
      "soft",
      "c12.d351.cd34ef@news.example.org",
    ],
    [
      "yahoo-bounce-text.eml",
      "no.such.person@yahoo.com",
      null,
      null,
      "hard",
      "c12.d352.99aa88@news.example.org",
    ],
    ["gmail-dsn-dmarc-policy.eml", "reader@gmail.com", "5.7.26", "failed", "policy", null],
    [
      "mimecast-bounce-text.eml",
      "former.employee@example.co.uk",
      null,
      null,
      "hard",
      "c12.d367.aaaa03@news.example.org",
    ],
    [
      "gmail-bounce-text-legacy.eml",
      "typo.address@gmial.com",
      null,
      null,
      "hard",
      "c12.d368.bbbb04@news.example.org",
    ],
    [
      "exchange-text-unzustellbar-de.eml",
      "anna.schmidt@example.de",
      "5.2.2",
      null,
      "soft",
      "c12.d369.cccc05@news.example.org",
    ],
  ])("%s", async (file, address, status, action, verdict, originalMessageId) => {
    const result = await classify(file);
    expect(result.kind).toBe("bounce");
    const bounce = result as Bounce;
    expect(
      bounce.recipients.map(({ address, status, action, verdict }) => ({
        address,
        status,
        action,
        verdict,
      })),
    ).toEqual([{ address, status, action, verdict }]);
    expect(bounce.originalMessageId).toBe(originalMessageId);
  });
});

describe("bounces with more than one recipient, and SMTPUTF8", () => {
  it("a delivered recipient is left out; each failed one has its own verdict", async () => {
    const bounce = (await classify("postfix-dsn-mixed-recipients.eml")) as Bounce;
    expect(bounce.recipients.map((r) => [r.address, r.status, r.verdict])).toEqual([
      ["full@example.net", "4.2.2", "soft"],
      ["nobody@example.net", "5.1.1", "hard"],
    ]);
    expect(bounce.originalMessageId).toBe("c12.d365.efef01@news.example.org");
  });

  it("message/global-delivery-status (RFC 6533) with a UTF-8 address", async () => {
    const bounce = (await classify("postfix-dsn-smtputf8.eml")) as Bounce;
    expect(bounce.recipients.map((r) => [r.address, r.verdict])).toEqual([
      ["søren@eksempel.dk", "hard"],
    ]);
    expect(bounce.originalMessageId).toBe("c12.d366.abcd02@news.example.org");
  });
});

describe("the other kinds", () => {
  it("an ARF report is a complaint naming the recipient and the original", async () => {
    expect(await classify("arf-complaint.eml")).toEqual({
      kind: "complaint",
      address: "annoyed.reader@yahoo.com",
      originalMessageId: "c12.d353.1a2b3c@news.example.org",
      feedbackType: "abuse",
    });
  });

  it.each([
    ["auto-reply-rfc3834-vacation.eml", /Auto-Submitted/],
    ["auto-reply-gmail-vacation.eml", /Auto-Submitted/],
    ["auto-reply-outlook-nl.eml", /automatisch antwoord/],
    ["auto-reply-subject-de.eml", /abwesenheitsnotiz/],
    ["auto-reply-subject-fr.eml", /réponse automatique/],
    ["auto-reply-subject-nb.eml", /fraværende/],
    ["auto-reply-subject-da.eml", /autosvar/],
    ["auto-reply-subject-en.eml", /out of office/],
  ])("%s is an auto-reply", async (file, reason) => {
    const result = await classify(file);
    expect(result.kind).toBe("auto_reply");
    expect((result as { reason: string }).reason).toMatch(reason);
  });

  it("unsubscribe+TOKEN@ gives the token; the bare address gives none", async () => {
    expect(await classify("unsubscribe-token.eml")).toEqual({
      kind: "unsubscribe",
      token: "aeaqcaydajbfn2x4grmuqnw5lihcbmu6n3nh4c4bwaqdhl3q",
    });
    expect(await classify("unsubscribe-bare.eml")).toEqual({ kind: "unsubscribe", token: null });
  });

  it("a person forwarding a bounce (Fwd:) is a reply, not a bounce", async () => {
    const result = await classify("reply-forwarded-bounce.eml");
    expect(result.kind).toBe("reply");
    expect((result as { text: string }).text).toBe(
      "Can someone check why this reader's address keeps bouncing?",
    );
  });

  it("a read receipt and a success DSN are other, never a reply or an auto-reply", async () => {
    expect((await classify("read-receipt.eml")).kind).toBe("other");
    expect(await classify("postfix-dsn-success.eml")).toEqual({
      kind: "other",
      reason: "delivery notification without a failed recipient",
    });
  });

  it("a person answering about an absence is a reply, not an auto-reply", async () => {
    expect(await classify("reply-subject-mentions-absence.eml")).toEqual({
      kind: "reply",
      text: "Yes, the office is closed from the 24th.",
      removed: "",
    });
  });
});

describe("replies: the person's words kept, history and signature cut", () => {
  it.each([
    [
      "reply-gmail-nb.eml",
      "Takk for brevet! Kan dere sende meg programmet for januar?\n\nHilsen Kari",
      /^tir\. 1\. des\. 2026 kl\. 10:00 skrev/,
    ],
    [
      "reply-outlook-nl.eml",
      "Goedemiddag,\n\nGraag wil ik mij aanmelden voor de workshop op 12 januari.\n\nMet vriendelijke groet,\nPieter de Vries",
      /^_+\nVan: /,
    ],
    [
      "reply-outlook-de-html.eml",
      "Hallo,\n\nich hätte gern die Unterlagen als PDF.\n\nViele Grüße\nMax",
      /Von: Example News[^]*Gesendet:/,
    ],
    [
      "reply-gmail-html-only.eml",
      "Is de workshop ook online te volgen?\n\nGroet, Jan",
      /^Op di 1 dec 2026 om 10:00 schreef/,
    ],
    [
      "reply-apple-mail.eml",
      "Could you add me to the February event as well?\n\nSophie",
      /^Envoyé de mon iPhone[^]*wrote:/,
    ],
    [
      "reply-thunderbird-interleaved.eml",
      "> Will you join the dinner on Friday?\n\nYes, with my partner.\n\n> Any dietary wishes?\n\nOne vegetarian menu, please.",
      /wrote:[^]*Lars Olsen/,
    ],
  ])("%s", async (file, text, removed) => {
    const result = await classify(file);
    expect(result.kind).toBe("reply");
    const reply = result as Extract<Classification, { kind: "reply" }>;
    expect(reply.text).toBe(text);
    expect(reply.removed).toMatch(removed);
  });
});

describe("malformed MIME: unparseable with a reason, or parsed with what survived", () => {
  it.each([
    ["malformed-empty.eml", /empty/],
    ["malformed-no-headers.eml", /header field/],
    ["malformed-nul-header.eml", /NUL/],
    ["malformed-broken-boundary.eml", /no part uses that boundary/],
  ])("%s is unparseable", async (file, reason) => {
    const result = await classify(file);
    expect(result.kind).toBe("unparseable");
    expect((result as { reason: string }).reason).toMatch(reason);
  });

  it("a truncated multipart keeps its text and records the defect", async () => {
    const parsed = await parseMime(readFileSync(path.join(dir, "malformed-truncated.eml")));
    expect(parsed.text).toContain("the event was gre");
    expect(parsed.defects?.join(" ")).toMatch(/closing MIME boundary/);
  });

  it("NUL bytes in a body are removed and recorded", async () => {
    const parsed = await parseMime(readFileSync(path.join(dir, "malformed-nul-body.eml")));
    expect(parsed.text).toContain("Thanks for the news.");
    expect(parsed.defects).toContain("NUL bytes in the body (removed)");
  });

  it("an unknown charset and broken base64 still parse", async () => {
    const result = await classify("malformed-bad-charset.eml");
    expect(result.kind).toBe("reply");
    expect((result as { text: string }).text).toContain("Thanks for the newsletter!");
  });

  it("repeated headers: the first Subject and Content-Type count, all are kept", async () => {
    const parsed = await parseMime(readFileSync(path.join(dir, "malformed-header-injection.eml")));
    expect(parsed.headers.get("subject")).toHaveLength(2);
    expect(parsed.contentType).toBe("text/plain; charset=utf-8");
    expect(parsed.cc).toEqual([]);
  });
});
