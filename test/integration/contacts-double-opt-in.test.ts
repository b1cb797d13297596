// Double opt-in against real PostgreSQL and a real SMTP server on loopback:
// request → pending + confirmation email with a signed link; confirm →
// subscribed with a ledger grant carrying the evidence; forged links change nothing.
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hashAddress } from "../../src/consent/address-hash.ts";
import { suppressAddress } from "../../src/consent/suppress-address.ts";
import { confirmSubscription } from "../../src/contacts/confirm-subscription.ts";
import { createList } from "../../src/contacts/create-list.ts";
import {
  requestSubscription,
  CONFIRMATION_RESEND_AFTER_MS,
} from "../../src/contacts/request-subscription.ts";
import { subscribeContact } from "../../src/contacts/subscribe-contact.ts";
import { isAppError } from "../../src/errors.ts";
import { openApp, type App } from "../../src/main.ts";
import { signToken } from "../../src/unsubscribe/tokens.ts";
import { testConfig } from "../support/app-config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";

let database: TestDatabase;
let sink: SmtpSink;
let app: App;
let now = new Date("2026-11-01T12:00:00Z");
const clock = { now: () => now };
const evidence = { ip: "192.0.2.10", userAgent: "Mozilla/5.0 (test)", form: "website footer" };
const deps = () => ({ db: app.db, config: app.config, clock, log: app.log, mailer: app.mailer });

async function confirmLinkOf(
  index: number,
): Promise<{ url: string; token: string; subject: string; to: string }> {
  const message = sink.messages[index]!;
  const parsed = await simpleParser(message.raw);
  const url = /http:\/\/127\.0\.0\.1:8080\/confirm\/([a-z2-7]+)/.exec(parsed.text ?? "");
  expect(url, parsed.text).not.toBeNull();
  expect(parsed.html).toContain(url![0]);
  return { url: url![0], token: url![1]!, subject: parsed.subject ?? "", to: message.to.join(",") };
}

beforeAll(async () => {
  database = await createTestDatabase();
  sink = await startSmtpSink();
  app = await openApp({
    purpose: "double opt-in test",
    config: testConfig({ DATABASE_URL: database.url, SMTP_URL: `smtp://127.0.0.1:${sink.port}` }),
  });
  await createList({ db: app.db }, { slug: "news", name: "Monthly news" });
});

afterAll(async () => {
  await app?.close();
  await sink?.close();
  await database?.drop();
});

beforeEach(() => {
  sink.clear();
  now = new Date(now.getTime() + 24 * 3600_000);
});

describe("double opt-in", () => {
  it("request: pending subscription, audit with evidence, and a confirmation email with the signed link; confirm: subscribed with a ledger grant", async () => {
    const answer = await requestSubscription(deps(), {
      email: " Ann@Example.com",
      name: "Ann",
      list: "news",
      evidence,
    });
    expect(answer).toMatchObject({ accepted: true, outcome: "pending" });
    await sink.waitFor(1);
    const mail = await confirmLinkOf(0);
    expect(mail.to).toBe("ann@example.com");
    expect(mail.subject).toBe("Please confirm your subscription to Monthly news");

    const contact = await app.db.contact.findUniqueOrThrow({
      where: { email: "ann@example.com" },
      select: { id: true, name: true },
    });
    // The typed name waits in the request: nothing about the contact changes before confirmation.
    expect(contact.name).toBeNull();
    const pending = await app.db.subscription.findFirstOrThrow({
      where: { contactId: contact.id },
      select: { status: true, confirmedAt: true },
    });
    expect(pending).toEqual({ status: "pending", confirmedAt: null });
    expect(await app.db.consentEvent.count({ where: { contactId: contact.id } })).toBe(0);
    const requested = await app.db.auditEntry.findFirstOrThrow({
      where: { action: "subscription.requested" },
      select: { subjectId: true, detail: true },
    });
    expect(requested).toMatchObject({
      subjectId: String(contact.id),
      detail: { lists: ["news"], outcome: "pending", evidence },
    });
    expect(JSON.stringify(requested)).not.toContain("ann@");

    const confirmedAt = now;
    const confirmEvidence = { ip: "198.51.100.7", userAgent: "Mozilla/5.0 (phone)" };
    expect(
      await confirmSubscription(deps(), { token: mail.token, evidence: confirmEvidence }),
    ).toEqual({ contactId: contact.id, list: "news", lists: ["news"], changed: true });
    expect(
      (
        await app.db.contact.findUniqueOrThrow({
          where: { id: contact.id },
          select: { name: true },
        })
      ).name,
    ).toBe("Ann");
    const subscribed = await app.db.subscription.findFirstOrThrow({
      where: { contactId: contact.id },
      select: { status: true, confirmedAt: true },
    });
    expect(subscribed).toEqual({ status: "subscribed", confirmedAt });
    const grants = await app.db.consentEvent.findMany({
      where: { contactId: contact.id },
      select: {
        purpose: true,
        action: true,
        legalBasis: true,
        source: true,
        evidence: true,
        occurredAt: true,
      },
    });
    expect(grants).toEqual([
      {
        purpose: "newsletter:news",
        action: "grant",
        legalBasis: "consent",
        source: "double-opt-in",
        occurredAt: confirmedAt,
        evidence: {
          ...confirmEvidence,
          method: "double-opt-in",
          confirmedAt: confirmedAt.toISOString(),
          requestedAt: expect.any(String),
          requestId: expect.any(Number),
          request: evidence,
        },
      },
    ]);

    // A second click is a success that changes nothing.
    expect(
      await confirmSubscription(deps(), {
        token: mail.token.toUpperCase(),
        evidence: confirmEvidence,
      }),
    ).toEqual({ contactId: contact.id, list: "news", lists: ["news"], changed: false });
    expect(await app.db.consentEvent.count({ where: { contactId: contact.id } })).toBe(1);
    expect(await app.db.auditEntry.count({ where: { action: "subscription.confirmed" } })).toBe(1);

    // Asking again while subscribed: same answer, no email.
    sink.clear();
    expect(
      await requestSubscription(deps(), { email: "ann@example.com", list: "news", evidence }),
    ).toMatchObject({ accepted: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.count).toBe(0);
  });

  it("a forged or wrong-purpose token is refused and changes nothing", async () => {
    await requestSubscription(deps(), { email: "bea@example.com", list: "news", evidence });
    await sink.waitFor(1);
    const { token } = await confirmLinkOf(0);
    const bea = await app.db.contact.findUniqueOrThrow({
      where: { email: "bea@example.com" },
      select: { id: true },
    });
    const before = {
      consents: await app.db.consentEvent.count(),
      audit: await app.db.auditEntry.count(),
    };

    const last = token.at(-1) === "a" ? "b" : "a";
    const forgedKey = [{ id: app.config.signingKeys[0]!.id, secret: Buffer.alloc(32, 9) }];
    const attempts = [
      token.slice(0, -1) + last,
      signToken(forgedKey, { contactId: bea.id, list: "news", purpose: "confirm" }),
      signToken(app.config.signingKeys, {
        contactId: bea.id,
        list: "news",
        purpose: "unsubscribe",
      }),
      "not-a-token",
    ];
    for (const attempt of attempts) {
      const error = await confirmSubscription(deps(), { token: attempt, evidence: {} }).catch(
        (e: unknown) => e,
      );
      expect(isAppError(error, "invalid_token"), String(error)).toBe(true);
    }
    expect(
      await app.db.subscription.findFirstOrThrow({
        where: { contactId: bea.id },
        select: { status: true },
      }),
    ).toEqual({ status: "pending" });
    expect(await app.db.consentEvent.count()).toBe(before.consents);
    expect(await app.db.auditEntry.count()).toBe(before.audit);
  });

  it("sends nothing to a suppressed address and answers exactly as for anyone else", async () => {
    await suppressAddress(app.db, app.config.suppressionKey, {
      address: "sup@example.com",
      reason: "complaint",
      actor: "test",
    });
    expect(
      await requestSubscription(deps(), { email: "sup@example.com", list: "news", evidence }),
    ).toMatchObject({ accepted: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.count).toBe(0);
    expect(await app.db.contact.count({ where: { email: "sup@example.com" } })).toBe(0);
    const audit = await app.db.auditEntry.findFirstOrThrow({
      where: { action: "subscription.requested", subjectType: "address_hash" },
      select: { subjectId: true, detail: true },
    });
    expect(audit).toMatchObject({
      subjectId: hashAddress(app.config.suppressionKey, "sup@example.com"),
      detail: { outcome: "suppressed" },
    });
    expect(JSON.stringify(audit)).not.toContain("sup@");
  });

  it("does not mail the same pending address twice within the resend window, and a link cannot revive a cancelled subscription", async () => {
    await requestSubscription(deps(), { email: "cid@example.com", list: "news", evidence });
    await requestSubscription(deps(), { email: "cid@example.com", list: "news", evidence });
    await sink.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.count).toBe(1);
    const { token } = await confirmLinkOf(0);
    now = new Date(now.getTime() + CONFIRMATION_RESEND_AFTER_MS + 1000);
    await requestSubscription(deps(), { email: "cid@example.com", list: "news", evidence });
    await sink.waitFor(2);

    const cid = await app.db.contact.findUniqueOrThrow({
      where: { email: "cid@example.com" },
      select: { id: true },
    });
    await app.db.subscription.updateMany({
      where: { contactId: cid.id },
      data: { status: "unsubscribed", unsubscribedAt: now },
    });
    const error = await confirmSubscription(deps(), { token, evidence: {} }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(error, "refused")).toBe(true);
    expect(await app.db.consentEvent.count({ where: { contactId: cid.id } })).toBe(0);
  });

  it("unknown list: the error names the known lists", async () => {
    const error = await requestSubscription(deps(), {
      email: "dan@example.com",
      list: "newz",
      evidence,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('unknown list "newz"; known lists: news');
  });
});

describe("subscribeContact (direct, consent held elsewhere)", () => {
  it("subscribes with a ledger grant carrying the evidence, once, and refuses suppressed addresses", async () => {
    const input = {
      email: "Eve@example.com",
      name: "Eve",
      list: "news",
      source: "paper form, trade fair 2026-10",
      evidence: { reference: "scan 4711" },
    };
    const first = await subscribeContact(deps(), input);
    expect(first.changed).toBe(true);
    expect((await subscribeContact(deps(), input)).changed).toBe(false);
    const events = await app.db.consentEvent.findMany({
      where: { contactId: first.contactId },
      select: { purpose: true, action: true, source: true, evidence: true },
    });
    expect(events).toEqual([
      {
        purpose: "newsletter:news",
        action: "grant",
        source: "paper form, trade fair 2026-10",
        evidence: { reference: "scan 4711" },
      },
    ]);
    expect(
      await app.db.subscription.findFirstOrThrow({
        where: { contactId: first.contactId },
        select: { status: true },
      }),
    ).toEqual({ status: "subscribed" });

    await suppressAddress(app.db, app.config.suppressionKey, {
      address: "fay@example.com",
      reason: "hard_bounce",
      actor: "test",
    });
    const error = await subscribeContact(deps(), { ...input, email: "fay@example.com" }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(error, "refused")).toBe(true);
    expect((error as Error).message).not.toContain("fay@");
    expect(await app.db.contact.count({ where: { email: "fay@example.com" } })).toBe(0);
  });
});
