// Issue 7, bad input that half-writes: a CSV import validates every row before
// writing (NUL and control characters, field lengths, RFC 5321 address
// limits) and reports bad rows by line; a write that still fails leaves an
// audit entry and an error that say exactly what was committed. Field limits
// hold on the admin API too. Real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createList } from "../../src/contacts/create-list.ts";
import { importContacts } from "../../src/contacts/import-contacts.ts";
import { isAppError } from "../../src/errors.ts";
import { startTestServer, type TestServer } from "./http-server.ts";

let t: TestServer;
const now = new Date("2026-11-01T12:00:00Z");
const deps = () => ({ db: t.db, config: t.config, clock: { now: () => now }, log: t.app.log });

beforeAll(async () => {
  t = await startTestServer();
  await createList({ db: t.db }, { slug: "news", name: "News" });
});
afterAll(async () => t?.close());

function csv(rows: string[]): string {
  return ["email,name,notes,consent", ...rows].join("\n") + "\n";
}

describe("CSV import validation", () => {
  it("reports a NUL byte, control characters, over-long fields and addresses by line, and imports the rest", async () => {
    const rows = Array.from({ length: 700 }, (_, i) => `row${i}@example.test,Row ${i},,yes`);
    rows[649] = "nul@example.test,Bad\u0000Name,,yes"; // line 651 (header is line 1)
    rows[659] = `long@example.test,${"n".repeat(201)},,yes`; // line 661
    rows[669] = `${"l".repeat(65)}@example.test,Long local,,yes`; // line 671
    rows[679] = "bell@example.test,Ring\u0007,,yes"; // line 681
    rows[689] = 'notes@example.test,Notes,"two\nlines are fine",yes'; // line 691-692
    const result = await importContacts(deps(), {
      csv: csv(rows),
      list: "news",
      consentSource: "fair",
      actor: "test",
    });
    expect(result.errors.map((e) => e.line)).toEqual([651, 661, 671, 681]);
    expect(result.errors[0]!.reason).toMatch(/control character/);
    expect(result.errors[1]!.reason).toMatch(/name is 201 characters long; at most 200/);
    expect(result.errors[2]!.reason).toMatch(/at most 64 characters before the @/);
    expect(result.imported).toBe(696);
    expect(result.subscribed).toBe(696);
    expect(await t.db.contact.count({ where: { email: "nul@example.test" } })).toBe(0);
    expect(
      (await t.db.contact.findUniqueOrThrow({ where: { email: "notes@example.test" } })).notes,
    ).toBe("two\nlines are fine");
  });

  it("a write that fails part-way says exactly which lines were committed, in the error and the audit log", async () => {
    // A constraint the validator does not know of: the second chunk's first row breaks it.
    await t.db.$executeRawUnsafe(
      `ALTER TABLE contacts ADD CONSTRAINT no_trap CHECK (email <> 'trap@example.test') NOT VALID`,
    );
    try {
      const rows = Array.from({ length: 1200 }, (_, i) => `part${i}@example.test,Part ${i},,yes`);
      rows[500] = "trap@example.test,Trap,,yes"; // line 502, first row of the second chunk
      const error = await importContacts(deps(), {
        csv: csv(rows),
        list: "news",
        consentSource: "fair",
        actor: "test",
      }).catch((e: unknown) => e);
      expect(isAppError(error, "incomplete"), String(error)).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain("500 valid rows (lines 2-501) were committed");
      expect(message).toContain(
        "500 rows (lines 502-1001) were rolled back and 200 later rows were not tried",
      );
      expect(message).not.toContain("trap@example.test");
      expect(await t.db.contact.count({ where: { email: { startsWith: "part" } } })).toBe(500);
      const audit = await t.db.auditEntry.findFirstOrThrow({
        where: { action: "contacts.import_incomplete" },
        select: { detail: true },
      });
      expect(audit.detail).toMatchObject({
        committedRows: 500,
        committedLines: "lines 2-501",
        failedLines: "lines 502-1001",
        notTried: 200,
        imported: 500,
        subscribed: 500,
      });
      expect(JSON.stringify(audit)).not.toContain("@example.test");
    } finally {
      await t.db.$executeRawUnsafe(`ALTER TABLE contacts DROP CONSTRAINT no_trap`);
    }
  });
});

describe("field limits on the admin API", () => {
  it("refuses an over-long or control-character name with 400 and writes nothing", async () => {
    const auth = {
      authorization: `Bearer ${t.config.adminToken}`,
      "content-type": "application/json",
    };
    for (const name of ["x".repeat(100_000), "Ann\u0000", "Ann\r\nBcc: x@example.test"]) {
      const response = await fetch(`${t.url}/api/subscriptions`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ email: "api@example.test", list: "news", source: "phone", name }),
      });
      expect(response.status).toBe(400);
    }
    const nul = await fetch(`${t.url}/api/subscriptions`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ email: "api\u0000@example.test", list: "news", source: "phone" }),
    });
    expect(nul.status).toBe(400);
    const longSource = await fetch(`${t.url}/api/subscriptions`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ email: "api@example.test", list: "news", source: "s".repeat(501) }),
    });
    expect(longSource.status).toBe(400);
    expect(JSON.stringify(await longSource.json())).toContain("source is 501 characters long");
    const longImport = await fetch(
      `${t.url}/api/contacts/import?list=news&consentSource=${"s".repeat(501)}`,
      {
        method: "POST",
        headers: { ...auth, "content-type": "text/csv" },
        body: csv(["api2@example.test,A,,yes"]),
      },
    );
    expect(longImport.status).toBe(400);
    expect(await t.db.contact.count({ where: { email: { startsWith: "api" } } })).toBe(0);
  });
});
