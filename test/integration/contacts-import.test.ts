// CSV import against real PostgreSQL: good rows in, each bad row reported
// with its line and reason, consent rows subscribed with ledger evidence.
import fs from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashAddress } from "../../src/consent/address-hash.ts";
import { suppressAddress } from "../../src/consent/suppress-address.ts";
import { createList } from "../../src/contacts/create-list.ts";
import { importContacts } from "../../src/contacts/import-contacts.ts";
import { listLists } from "../../src/contacts/list-lists.ts";
import { isAppError } from "../../src/errors.ts";
import { openApp, type App } from "../../src/main.ts";
import { testConfig } from "../support/app-config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const fixture = new URL("../fixtures/csv/contacts-mixed.csv", import.meta.url);
const now = new Date("2026-11-01T12:00:00Z");

let database: TestDatabase;
let app: App;
const deps = () => ({ db: app.db, config: app.config, clock: { now: () => now }, log: app.log });

beforeAll(async () => {
  database = await createTestDatabase();
  app = await openApp({
    purpose: "contacts import test",
    config: testConfig({ DATABASE_URL: database.url }),
  });
  await createList({ db: app.db }, { slug: "news", name: "Monthly news" });
  await createList({ db: app.db }, { slug: "events", name: "Events" });
  await suppressAddress(app.db, app.config.suppressionKey, {
    address: "Suppressed@example.com",
    reason: "complaint",
    actor: "test",
  });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe("importContacts", () => {
  it("imports the good rows, reports each bad one with its line, and subscribes only consenting, unsuppressed rows", async () => {
    const result = await importContacts(deps(), {
      csv: fs.createReadStream(fixture),
      list: "news",
      consentSource: "webinar-2026-10 signup form",
      fileName: "contacts-mixed.csv",
      actor: "test",
    });

    expect(result.errors).toEqual([
      { line: 4, reason: expect.stringMatching(/^invalid email "not-an-email"/) },
      { line: 5, reason: expect.stringMatching(/unterminated or malformed quoted field/) },
      { line: 7, reason: "expected 12 fields as in the header, got 2" },
      { line: 8, reason: expect.stringMatching(/^last_contact_at "2026-13-45" is not a date/) },
      {
        line: 9,
        reason: expect.stringMatching(
          /^customer_status "vip" is unknown; expected one of none, prospect, customer, former/,
        ),
      },
      { line: 13, reason: expect.stringMatching(/^duplicate of line 2/) },
    ]);
    expect(result).toMatchObject({
      rows: 12,
      imported: 6,
      updated: 0,
      subscribed: 3,
      skippedSuppressed: 1,
      alreadySubscribed: 0,
    });

    const contacts = await app.db.contact.findMany({
      orderBy: { email: "asc" },
      select: {
        email: true,
        name: true,
        productInterests: true,
        customerStatus: true,
        notes: true,
        lastContactAt: true,
      },
    });
    expect(contacts.map((c) => c.email)).toEqual([
      "alice@example.com",
      "bob@example.com",
      "dave@example.com",
      "heidi@example.com",
      "ivan@example.com",
      "suppressed@example.com",
    ]);
    const byEmail = new Map(contacts.map((c) => [c.email, c]));
    expect(byEmail.get("alice@example.com")).toMatchObject({
      name: "Alice Archer",
      productInterests: ["analytics", "crm"],
      customerStatus: "customer",
      lastContactAt: new Date("2026-09-15T00:00:00Z"),
    });
    expect(byEmail.get("dave@example.com")?.notes).toBe('Met at booth, wants "demo"');
    expect(byEmail.get("heidi@example.com")).toMatchObject({
      notes: "first line\r\nsecond line",
      customerStatus: "former",
    });

    const subscribed = await app.db.subscription.findMany({
      where: { list: { slug: "news" } },
      select: {
        status: true,
        confirmedAt: true,
        source: true,
        contact: { select: { email: true } },
      },
      orderBy: { contact: { email: "asc" } },
    });
    expect(subscribed.map((s) => [s.contact.email, s.status])).toEqual([
      ["alice@example.com", "subscribed"],
      ["dave@example.com", "subscribed"],
      ["ivan@example.com", "subscribed"],
    ]);
    expect(subscribed[0]?.confirmedAt).toEqual(new Date("2026-10-01T09:30:00Z"));
    expect(subscribed[2]?.confirmedAt).toEqual(now);
    expect(subscribed[0]?.source).toBe("webinar-2026-10 signup form");

    const grants = await app.db.consentEvent.findMany({
      where: { purpose: "newsletter:news" },
      select: {
        action: true,
        legalBasis: true,
        source: true,
        evidence: true,
        occurredAt: true,
        contact: { select: { email: true } },
      },
      orderBy: { contact: { email: "asc" } },
    });
    expect(grants).toHaveLength(3);
    expect(grants[0]).toMatchObject({
      action: "grant",
      legalBasis: "consent",
      source: "webinar-2026-10 signup form",
      occurredAt: new Date("2026-10-01T09:30:00Z"),
      evidence: {
        importId: result.importId,
        file: "contacts-mixed.csv",
        line: 2,
        consentedAt: "2026-10-01T09:30:00.000Z",
      },
    });
    expect(grants[1]?.evidence).toMatchObject({ line: 6, consentedAt: "2026-10-02T00:00:00.000Z" });
    expect(grants[2]?.evidence).toMatchObject({ line: 14, consentedAt: null });

    // Bob said no: stored on the given basis, not subscribed.
    const bob = await app.db.contact.findUniqueOrThrow({
      where: { email: "bob@example.com" },
      select: { subscriptions: true, consents: { select: { purpose: true, legalBasis: true } } },
    });
    expect(bob.subscriptions).toEqual([]);
    expect(bob.consents).toEqual([{ purpose: "processing", legalBasis: "legitimate_interest" }]);

    const audit = await app.db.auditEntry.findMany({
      where: { action: "contacts.imported" },
      select: { actor: true, detail: true },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.detail).toMatchObject({
      importId: result.importId,
      list: "news",
      rows: 12,
      imported: 6,
      subscribed: 3,
      skippedSuppressed: 1,
      errors: 6,
    });
    const auditText = JSON.stringify(audit);
    for (const address of ["alice@", "bob@", "suppressed@", "not-an-email", "Alice"])
      expect(auditText).not.toContain(address);

    const counts = (await listLists(app.db)).find((l) => l.slug === "news")?.counts;
    expect(counts).toEqual({ pending: 0, subscribed: 3, unsubscribed: 0 });
  });

  it("updates on re-import instead of duplicating, keeps stored values for empty cells, and does not undo an unsubscribe", async () => {
    const alice = await app.db.contact.findUniqueOrThrow({
      where: { email: "alice@example.com" },
      select: { id: true },
    });
    await app.db.subscription.updateMany({
      where: { contactId: alice.id },
      data: { status: "unsubscribed", unsubscribedAt: new Date("2026-10-20T00:00:00Z") },
    });
    const csv = [
      "Email,Company,Customer Status,consent,consented_at",
      "ALICE@example.com,Archer Group,,yes,2026-10-01",
      "bob@example.com,,former,no,",
      "dave@example.com,,,yes,",
      "judy@example.com,Judy Co,,yes,2026-10-25",
    ].join("\n");
    const result = await importContacts(deps(), {
      csv,
      list: "news",
      consentSource: "re-import",
      actor: "test",
    });
    expect(result).toMatchObject({
      errors: [],
      imported: 1,
      updated: 3,
      subscribed: 1,
      alreadySubscribed: 1,
      skippedUnsubscribed: 1,
    });
    expect(await app.db.contact.count()).toBe(7);
    const rows = await app.db.contact.findMany({
      where: { email: { in: ["alice@example.com", "bob@example.com"] } },
      orderBy: { email: "asc" },
      select: { name: true, company: true, customerStatus: true },
    });
    expect(rows).toEqual([
      { name: "Alice Archer", company: "Archer Group", customerStatus: "customer" },
      { name: "Bob Baker", company: "Baker & Sons", customerStatus: "former" },
    ]);
    const aliceSub = await app.db.subscription.findFirstOrThrow({
      where: { contactId: alice.id },
      select: { status: true },
    });
    expect(aliceSub.status).toBe("unsubscribed");
  });

  it("refuses a file with unknown columns before writing anything, naming the known ones", async () => {
    const before = await app.db.contact.count();
    const error = await importContacts(deps(), {
      csv: "email,name,shoe_size\nzed@example.com,Zed,44\n",
      consentSource: "x",
      actor: "test",
    }).catch((e: unknown) => e);
    expect(isAppError(error, "invalid_input")).toBe(true);
    expect((error as Error).message).toMatch(
      /unknown CSV column "shoe_size"; known columns: email, name, phone, company, job_title/,
    );
    expect(await app.db.contact.count()).toBe(before);
  });

  it("refuses an unknown list, naming the known lists, before writing anything", async () => {
    const before = await app.db.auditEntry.count();
    const error = await importContacts(deps(), {
      csv: Readable.from(["email\nyan@example.com\n"]),
      list: "newz",
      consentSource: "x",
      actor: "test",
    }).catch((e: unknown) => e);
    expect(isAppError(error, "not_found")).toBe(true);
    expect((error as Error).message).toBe('unknown list "newz"; known lists: events, news');
    expect(await app.db.contact.count({ where: { email: "yan@example.com" } })).toBe(0);
    expect(await app.db.auditEntry.count()).toBe(before);
  });

  it("does not bring back an erased person", async () => {
    await suppressAddress(app.db, app.config.suppressionKey, {
      address: "gone@example.com",
      reason: "erased",
      actor: "test",
    });
    const result = await importContacts(deps(), {
      csv: "email,consent\ngone@example.com,yes\n",
      list: "news",
      consentSource: "old sheet",
      actor: "test",
    });
    expect(result).toMatchObject({ imported: 0, subscribed: 0, skippedSuppressed: 1 });
    expect(await app.db.contact.count({ where: { email: "gone@example.com" } })).toBe(0);
    expect(hashAddress(app.config.suppressionKey, "gone@example.com")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reports progress up to the total", async () => {
    const lines = ["email"];
    for (let i = 0; i < 1200; i++) lines.push(`p${i}@example.com`);
    const seen: [number, number][] = [];
    const result = await importContacts(deps(), {
      csv: lines.join("\n"),
      consentSource: "bulk",
      actor: "test",
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(result.imported).toBe(1200);
    expect(seen.at(-1)).toEqual([1200, 1200]);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });
});
