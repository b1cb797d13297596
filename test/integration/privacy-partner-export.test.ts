// Partner export against real PostgreSQL: exactly name, email, phone and
// company, of the partner's contacts still in an ongoing relationship; the
// disclosure is in the audit log and in each person's own export.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../../src/main.ts";
import { exportContact } from "../../src/privacy/export-contact.ts";
import { exportPartnerContacts, partnerCsv } from "../../src/privacy/export-partner-contacts.ts";
import { linkPartner } from "../../src/privacy/link-partner.ts";
import { testConfig } from "../support/app-config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let database: TestDatabase;
let app: App;
const now = new Date("2026-11-15T10:00:00Z");
const clock = { now: () => now };

beforeAll(async () => {
  database = await createTestDatabase();
  app = await openApp({
    purpose: "partner export test",
    config: testConfig({ DATABASE_URL: database.url }),
    clock,
  });
  const everything = {
    jobTitle: "CTO",
    industry: "retail",
    companyWebsite: "https://example.test",
    productInterests: ["crm"],
    notes: "private note",
    source: "fair",
    customerStatus: "prospect" as const,
  };
  await app.db.contact.createMany({
    data: [
      {
        email: "p1@example.test",
        name: "Pia One",
        phone: "+47 1",
        company: "One AS",
        lastContactAt: new Date("2026-10-01"),
        ...everything,
      },
      {
        email: "p2@example.test",
        name: 'Per "Two", Jr',
        phone: null,
        company: "Two, Ltd",
        lastContactAt: new Date("2026-06-01"),
        ...everything,
      },
      // linked, but the dialogue ended more than two years ago: no rule keeps them
      {
        email: "old@example.test",
        name: "Olle Old",
        phone: "+47 3",
        company: "Old AS",
        lastContactAt: new Date("2024-01-01"),
        createdAt: new Date("2023-01-01"),
        ...everything,
      },
      // linked to another partner only
      {
        email: "other@example.test",
        name: "Otto Other",
        phone: "+47 4",
        company: "Other AS",
        lastContactAt: new Date("2026-10-01"),
        ...everything,
      },
    ],
  });
  const linked = await linkPartner(app, {
    partner: "Reseller AS",
    emails: ["p1@example.test", "P2@example.test", "old@example.test", "missing@example.test"],
    actor: "cli:test",
  });
  expect(linked).toMatchObject({ changed: 3, unknown: ["missing@example.test"] });
  await linkPartner(app, {
    partner: "Someone Else",
    emails: ["other@example.test"],
    actor: "cli:test",
  });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe("partner export", () => {
  it("holds exactly the four fields, of the partner's ongoing contacts only", async () => {
    const result = await exportPartnerContacts(app, { partner: "Reseller AS", actor: "cli:alice" });
    expect(result.skippedDue).toBe(1);
    expect(result.records).toEqual([
      { name: "Pia One", email: "p1@example.test", phone: "+47 1", company: "One AS" },
      { name: 'Per "Two", Jr', email: "p2@example.test", phone: null, company: "Two, Ltd" },
    ]);
    for (const r of result.records)
      expect(Object.keys(r).sort()).toEqual(["company", "email", "name", "phone"]);
    const json = JSON.stringify(result.records);
    for (const s of ["CTO", "retail", "private note", "crm", "prospect", "Olle", "Otto"])
      expect(json).not.toContain(s);

    const csv = partnerCsv(result.records);
    expect(csv.split("\r\n")).toEqual([
      "name,email,phone,company",
      '"Pia One","p1@example.test","+47 1","One AS"',
      '"Per ""Two"", Jr","p2@example.test","","Two, Ltd"',
      "",
    ]);

    const audit = await app.db.auditEntry.findFirstOrThrow({
      where: { action: "partner.exported" },
    });
    expect(audit.actor).toBe("cli:alice");
    expect(audit.detail).toMatchObject({
      partner: "Reseller AS",
      count: 2,
      exportId: result.exportId,
      fields: ["name", "email", "phone", "company"],
      at: now.toISOString(),
    });
    expect(JSON.stringify(audit)).not.toContain("@example.test");
    expect(await app.db.partnerDisclosure.count({ where: { exportId: result.exportId } })).toBe(2);

    const own = await exportContact(app, {
      email: "p1@example.test",
      verification: { method: "signed-letter" },
      actor: "cli",
    });
    expect(own.disclosures).toEqual([
      expect.objectContaining({
        partner: "Reseller AS",
        exportId: result.exportId,
        fields: ["name", "email", "phone", "company"],
      }),
    ]);
    const other = await exportContact(app, {
      email: "other@example.test",
      verification: { method: "signed-letter" },
      actor: "cli",
    });
    expect(other.disclosures).toEqual([]);
  });

  it("names the known partners when asked for an unknown one", async () => {
    await expect(exportPartnerContacts(app, { partner: "Nobody", actor: "cli" })).rejects.toThrow(
      /unknown partner "Nobody"; known partners: Reseller AS, Someone Else/,
    );
  });
});
