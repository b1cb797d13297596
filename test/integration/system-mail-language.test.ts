// The opt-in confirmation's language against real PostgreSQL and a real SMTP server: the
// sign-up page's language first, else the contact's stored language, else DEFAULT_LANGUAGE.
// (The review digest's languages: test/unit/render-cleanup-review.test.ts; that it follows the
// employee's language: test/e2e/console-mailboxes.test.ts.)
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/load-config.ts";
import { createList } from "../../src/contacts/create-list.ts";
import { processSubscriptionRequest } from "../../src/contacts/process-subscription-request.ts";
import { recordSubscriptionRequest } from "../../src/contacts/record-subscription-request.ts";
import { openApp, type App } from "../../src/main.ts";
import { testConfig } from "../support/app-config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";

let database: TestDatabase;
let sink: SmtpSink;
let app: App;
const evidence = { ip: "192.0.2.10", userAgent: "test", form: "website footer" };

beforeAll(async () => {
  database = await createTestDatabase();
  sink = await startSmtpSink();
  app = await openApp({
    purpose: "mail language test",
    config: testConfig({ DATABASE_URL: database.url, SMTP_URL: `smtp://127.0.0.1:${sink.port}` }),
  });
  await createList({ db: app.db }, { slug: "news", name: "Monthly news" });
});

afterAll(async () => {
  await app?.close();
  await sink?.close();
  await database?.drop();
});

/** Records a request as the form would and processes it as the job would; returns the mail. */
async function confirmationFor(
  email: string,
  opts: { pageLanguage?: string; defaultLanguage?: Config["defaultLanguage"] } = {},
) {
  const before = sink.count;
  const { requestId } = await recordSubscriptionRequest(
    { db: app.db, clock: app.clock },
    {
      email,
      lists: ["news"],
      evidence,
      ...(opts.pageLanguage ? { language: opts.pageLanguage } : {}),
    },
  );
  const config = { ...app.config, defaultLanguage: opts.defaultLanguage ?? "en" };
  const { outcome } = await processSubscriptionRequest(
    { db: app.db, config, clock: app.clock, log: app.log, mailer: app.mailer },
    requestId,
  );
  expect(outcome).toBe("pending");
  const messages = await sink.waitFor(before + 1);
  const mail = await simpleParser(messages[before]!.raw);
  return { subject: mail.subject ?? "", text: mail.text ?? "", html: String(mail.html) };
}

describe("the confirmation mail's language", () => {
  it("is the sign-up page's for a new address", async () => {
    const mail = await confirmationFor("nieuw@example.test", { pageLanguage: "nl" });
    expect(mail.subject).toBe("Bevestig uw aanmelding voor Monthly news");
    expect(mail.text).toContain("Mijn aanmelding bevestigen");
    expect(mail.html).toContain('lang="nl"');
  });

  it("is the contact's stored language when the request names none", async () => {
    await app.db.contact.create({ data: { email: "kari@example.test", language: "nb" } });
    const mail = await confirmationFor("kari@example.test");
    expect(mail.subject).toBe("Bekreft abonnementet ditt på Monthly news");
    expect(mail.text).toContain("Bekreft abonnementet mitt");
    expect(mail.html).toContain('lang="nb"');
  });

  it("follows the page the person used over the stored language", async () => {
    await app.db.contact.create({ data: { email: "ola@example.test", language: "nb" } });
    const mail = await confirmationFor("ola@example.test", { pageLanguage: "en" });
    expect(mail.subject).toBe("Please confirm your subscription to Monthly news");
  });

  it("is DEFAULT_LANGUAGE when nothing names one", async () => {
    const dutch = await confirmationFor("anon1@example.test", { defaultLanguage: "nl" });
    expect(dutch.subject).toBe("Bevestig uw aanmelding voor Monthly news");
    const english = await confirmationFor("anon2@example.test");
    expect(english.subject).toBe("Please confirm your subscription to Monthly news");
    expect(english.text).toContain("Confirm my subscription");
  });
});
