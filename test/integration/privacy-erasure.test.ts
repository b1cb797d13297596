// Erasure against real PostgreSQL: the person goes from every table, found
// from the catalog (so tables added later are scanned without editing this
// file); only the keyed hash remains, in suppression and the audit log. A later
// import is refused; the person's own double opt-in brings them back and lifts
// the suppression with a ledger entry.
import { simpleParser } from "mailparser";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashAddress } from "../../src/consent/address-hash.ts";
import { confirmSubscription } from "../../src/contacts/confirm-subscription.ts";
import { createList } from "../../src/contacts/create-list.ts";
import { importContacts } from "../../src/contacts/import-contacts.ts";
import { requestSubscription } from "../../src/contacts/request-subscription.ts";
import { subscribeContact } from "../../src/contacts/subscribe-contact.ts";
import { isAppError } from "../../src/errors.ts";
import { openApp, type App } from "../../src/main.ts";
import { eraseContact } from "../../src/privacy/erase-contact.ts";
import { testConfig } from "../support/app-config.ts";
import { findEverywhere as findAll } from "./find-everywhere.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";

let database: TestDatabase;
let sink: SmtpSink;
let app: App;
let sql: pg.Client;
let now = new Date("2026-11-02T09:00:00Z");
const clock = { now: () => now };
const deps = () => ({ db: app.db, config: app.config, clock, log: app.log, mailer: app.mailer });

const ann = { email: "ann.zyxwright@example.test", name: "Ann Zyxwright", phone: "+47 912 34 567" };
const bob = { email: "bob.qvistad@example.test", name: "Bob Qvistad", phone: "+31 6 1234 5678" };

const findEverywhere = (needles: string[]) => findAll(database.url, needles);

/** A person with something in every table this test knows of; the catalog scan covers the rest. */
async function seedPerson(p: typeof ann, campaignId: number): Promise<number> {
  await subscribeContact(deps(), {
    email: p.email,
    name: p.name,
    list: "news",
    source: `phone call with ${p.name}`,
    evidence: { method: "cli", reference: `call notes for ${p.email}` },
  });
  const contact = await app.db.contact.update({
    where: { email: p.email },
    data: { phone: p.phone, company: `${p.name} Consulting`, notes: `met ${p.name} at the fair` },
    select: { id: true },
  });
  await app.db.delivery.create({
    data: {
      campaignId,
      contactId: contact.id,
      messageId: `c${campaignId}.${contact.id}@example.test`,
      status: "failed",
      response: `550 5.1.1 <${p.email}>: Recipient address rejected`,
    },
  });
  await sql.query(
    `INSERT INTO dialogue_records (contact_id, campaign_id, kind, subject, body, received_at)
     VALUES ($1, $2, 'reply', $3, $4, now())`,
    [
      contact.id,
      campaignId,
      `Re: news for ${p.name}`,
      `Hi, this is ${p.name}, call me on ${p.phone}`,
    ],
  );
  await app.db.contactEvent.create({
    data: {
      contactId: contact.id,
      via: "phone",
      note: `${p.name} called from ${p.phone}`,
      actor: "cli",
      occurredAt: now,
    },
  });
  await app.db.contactCorrection.create({
    data: {
      contactId: contact.id,
      changes: { name: { from: `${p.name}x`, to: p.name } },
      actor: "cli",
      at: now,
    },
  });
  const partner = await app.db.partner.upsert({
    where: { name: "Partner AS" },
    create: { name: "Partner AS" },
    update: {},
    select: { id: true },
  });
  await app.db.contactPartner.create({ data: { contactId: contact.id, partnerId: partner.id } });
  await app.db.partnerDisclosure.create({
    data: { contactId: contact.id, partnerId: partner.id, exportId: "x1", disclosedAt: now },
  });
  // Rows that carry the address without pointing at the contact, where the schema has them:
  // a reply from an address not on file, another contact's mail with this person in copy,
  // an unconfirmed sign-up request.
  const has = async (table: string, column: string) =>
    (
      await sql.query(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2",
        [table, column],
      )
    ).rowCount === 1;
  if (
    (await has("dialogue_records", "from_address")) &&
    (await has("dialogue_records", "to_addresses"))
  )
    await sql.query(
      `INSERT INTO dialogue_records (contact_id, kind, subject, received_at, from_address, to_addresses)
       VALUES (NULL, 'reply', 'unmatched', now(), $1, ARRAY['someone@example.test']),
              (NULL, 'reply', 'in copy', now(), 'colleague@example.test', ARRAY['someone@example.test', $2])`,
      [p.email.toUpperCase(), p.email],
    );
  if (await has("subscription_requests", "email"))
    await sql
      .query(
        `INSERT INTO subscription_requests (email, name, lists, status, requested_at, evidence)
         VALUES ($1, $2, ARRAY['news'], 'pending', now(), '{}')`,
        [p.email, p.name],
      )
      .catch((error: unknown) => {
        throw new Error(
          `seeding subscription_requests failed; adapt the seed to its columns: ${String(error)}`,
        );
      });
  return contact.id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  sink = await startSmtpSink();
  app = await openApp({
    purpose: "erasure test",
    config: testConfig({ DATABASE_URL: database.url, SMTP_URL: `smtp://127.0.0.1:${sink.port}` }),
    clock,
  });
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  await createList({ db: app.db }, { slug: "news", name: "Monthly news" });
});

afterAll(async () => {
  await sql?.end();
  await app?.close();
  await sink?.close();
  await database?.drop();
});

describe("erasure", () => {
  let annId: number;

  it("removes the person from every table and keeps only the keyed hash", async () => {
    const campaign = await app.db.campaign.create({
      data: { slug: "nov", template: "monthly", subject: "November" },
      select: { id: true },
    });
    annId = await seedPerson(ann, campaign.id);
    const bobId = await seedPerson(bob, campaign.id);
    // The scan works: before erasure it finds Ann in the tables she was put in.
    const before = new Set(
      (await findEverywhere([ann.email, ann.name, ann.phone])).map((h) => h.table),
    );
    for (const table of [
      "contacts",
      "deliveries",
      "dialogue_records",
      "contact_events",
      "contact_corrections",
      "consent_events",
    ])
      expect(before, table).toContain(table);

    const result = await eraseContact(deps(), {
      contact: { email: ` ${ann.email.toUpperCase()} ` },
      kind: "erasure",
      verification: { method: "signed-letter", reference: "DMS-4711" },
      actor: "cli",
      source: "cli",
    });
    const hash = hashAddress(app.config.suppressionKey, ann.email);
    expect(result.addressHash).toBe(hash);
    expect(result.reference).toMatch(/^DSR-20261102-[0-9A-F]{6}$/);

    expect(await findEverywhere([ann.email, ann.name, ann.phone])).toEqual([]);
    // Bob is untouched: everything of his is still found.
    const bobTables = new Set(
      (await findEverywhere([bob.email, bob.name, bob.phone])).map((h) => h.table),
    );
    expect(bobTables).toEqual(before);
    expect(await app.db.subscription.count({ where: { contactId: bobId } })).toBe(1);

    for (const table of [
      "subscriptions",
      "consent_events",
      "deliveries",
      "dialogue_records",
      "contact_events",
      "contact_corrections",
      "contact_partners",
      "partner_disclosures",
    ]) {
      const { rows } = await sql.query(
        `SELECT count(*)::int AS n FROM ${table} WHERE contact_id = $1`,
        [annId],
      );
      expect(rows[0].n, table).toBe(0);
    }
    const suppression = await app.db.suppression.findUniqueOrThrow({
      where: { addressHash: hash },
    });
    expect(suppression.reason).toBe("erased");
    const erasedEntry = await app.db.auditEntry.findFirstOrThrow({
      where: { action: "contact.erased" },
    });
    expect(erasedEntry).toMatchObject({
      subjectType: "address_hash",
      subjectId: hash,
      actor: "cli",
    });
    expect(erasedEntry.detail).toMatchObject({
      reason: "erasure",
      request: result.reference,
      formerContactId: annId,
    });
    const request = await app.db.privacyRequest.findUniqueOrThrow({
      where: { reference: result.reference },
    });
    expect(request).toMatchObject({
      kind: "erasure",
      state: "done",
      contactId: null,
      addressHash: hash,
      verificationMethod: "signed-letter",
      verificationReference: "DMS-4711",
    });
    expect(request.dueAt.toISOString()).toBe("2026-12-02T09:00:00.000Z");
  });

  it("says so for an address that is not on file", async () => {
    const error = await eraseContact(deps(), {
      contact: { email: "nobody@example.test" },
      kind: "erasure",
      verification: { method: "email-from-address" },
      actor: "cli",
      source: "cli",
    }).catch((e: unknown) => e);
    expect(isAppError(error, "not_found")).toBe(true);
  });

  it("the consent ledger refuses DELETE outside erasure, the audit log refuses UPDATE and DELETE", async () => {
    await expect(sql.query("DELETE FROM consent_events")).rejects.toThrow(/append-only/);
    await expect(sql.query("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
    await expect(sql.query("DELETE FROM audit_log")).rejects.toThrow(/append-only/);
    await expect(sql.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
  });

  it("a later import of the erased address does not bring the person back", async () => {
    const result = await importContacts(deps(), {
      csv: `email,name,phone,consent\n${ann.email},${ann.name},${ann.phone},yes\n`,
      list: "news",
      consentSource: "old trade fair list",
      actor: "cli",
    });
    expect(result).toMatchObject({ imported: 0, subscribed: 0, skippedSuppressed: 1 });
    expect(await findEverywhere([ann.email, ann.name, ann.phone])).toEqual([]);
    const direct = await subscribeContact(deps(), {
      email: ann.email,
      list: "news",
      source: "operator",
      evidence: {},
    }).catch((e: unknown) => e);
    expect(isAppError(direct, "refused")).toBe(true);
  });

  it("the person's own double opt-in brings them back and lifts the suppression with a ledger entry", async () => {
    now = new Date(now.getTime() + 86_400_000);
    sink.clear();
    await requestSubscription(deps(), {
      email: ann.email,
      name: "Ann",
      list: "news",
      evidence: { ip: "192.0.2.7", userAgent: "test", form: "website footer" },
    });
    await sink.waitFor(1);
    const text = (await simpleParser(sink.messages[0]!.raw)).text ?? "";
    const token = /\/confirm\/([a-z2-7]+)/.exec(text)?.[1];
    expect(token).toBeDefined();
    const hash = hashAddress(app.config.suppressionKey, ann.email);
    expect(await app.db.suppression.count({ where: { addressHash: hash } })).toBe(1);

    const confirmed = await confirmSubscription(deps(), {
      token: token!,
      evidence: { ip: "192.0.2.7" },
    });
    expect(confirmed.changed).toBe(true);
    expect(await app.db.suppression.count({ where: { addressHash: hash } })).toBe(0);
    const grant = await app.db.consentEvent.findFirstOrThrow({
      where: { contactId: confirmed.contactId, action: "grant" },
    });
    expect(grant.evidence).toMatchObject({ method: "double-opt-in", liftedSuppression: "erased" });
    expect(
      await app.db.auditEntry.count({ where: { action: "suppression.lifted", subjectId: hash } }),
    ).toBe(1);
    expect(confirmed.contactId).not.toBe(annId);
  });
});
