// The audit log against real PostgreSQL: queried by subject (an address is
// turned into its id and keyed hash), action, actor and time; append-only
// except for its own retention.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashAddress } from "../../src/consent/address-hash.ts";
import { eraseContact } from "../../src/privacy/erase-contact.ts";
import { pruneAuditLog } from "../../src/privacy/prune-audit-log.ts";
import { queryAudit } from "../../src/privacy/query-audit.ts";
import { recordAudit } from "../../src/privacy/record-audit.ts";
import { testKeys } from "../support/app-config.ts";
import { startTestServer, type TestServer } from "./http-server.ts";

let t: TestServer;
let now = new Date("2026-11-20T08:00:00Z");
const clock = { now: () => now };
const deps = () => ({ db: t.db, config: t.config, clock, log: t.app.log });

beforeAll(async () => {
  t = await startTestServer();
  await t.db.$executeRaw`
    INSERT INTO audit_log (at, actor, action, subject_type, subject_id, detail) VALUES
      ('2019-05-01 10:00', 'cli', 'contacts.imported', 'list', '1', '{}'),
      ('2026-10-01 10:00', 'api', 'campaign.scheduled', 'campaign', '7', '{}'),
      ('2026-11-01 10:00', 'cli', 'privacy.request_received', 'privacy_request', '3', '{}')`;
});

afterAll(async () => {
  await t?.close();
});

describe("audit log", () => {
  it("filters by action (exact or prefix), actor, time and subject", async () => {
    expect((await queryAudit(deps(), { action: "privacy.*" })).map((r) => r.subjectId)).toEqual([
      "3",
    ]);
    expect((await queryAudit(deps(), { action: "campaign.scheduled", actor: "api" })).length).toBe(
      1,
    );
    expect((await queryAudit(deps(), { action: "campaign.scheduled", actor: "cli" })).length).toBe(
      0,
    );
    const autumn = await queryAudit(deps(), {
      since: new Date("2026-09-01"),
      until: new Date("2026-10-15"),
    });
    expect(autumn.map((r) => r.action)).toEqual(["campaign.scheduled"]);
    expect((await queryAudit(deps(), { subject: "campaign:7" })).map((r) => r.action)).toEqual([
      "campaign.scheduled",
    ]);
  });

  it("finds a person by address before and after erasure, without the address being in the log", async () => {
    const contact = await t.db.contact.create({
      data: { email: "audited@example.test" },
      select: { id: true },
    });
    await recordAudit(t.db, {
      actor: "cli",
      action: "contact.touched",
      subjectType: "contact",
      subjectId: contact.id,
    });
    const before = await queryAudit(deps(), { subject: "Audited@example.test" });
    expect(before.map((r) => r.action)).toEqual(["contact.touched"]);
    await eraseContact(deps(), {
      contact: { email: "audited@example.test" },
      kind: "erasure",
      verification: { method: "signed-letter" },
      actor: "cli",
      source: "cli",
    });
    const after = await queryAudit(deps(), { subject: "audited@example.test" });
    expect(after.map((r) => r.action)).toEqual(["contact.erased"]);
    expect(after[0]!.subjectId).toBe(hashAddress(t.config.suppressionKey, "audited@example.test"));
    expect(
      (await queryAudit(deps(), { subject: String(contact.id) })).map((r) => r.action),
    ).toContain("contact.touched");
  });

  it("the admin API filters the same way", async () => {
    const res = await t.server.inject({
      method: "GET",
      url: "/api/audit?action=privacy.*&limit=2",
      headers: { authorization: `Bearer ${testKeys.ADMIN_TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    const entries = res.json<{ entries: Array<{ action: string }> }>().entries;
    expect(entries.length).toBe(2);
    expect(entries.every((e) => e.action.startsWith("privacy."))).toBe(true);
    const bad = await t.server.inject({
      method: "GET",
      url: "/api/audit?since=yesterday-ish",
      headers: { authorization: `Bearer ${testKeys.ADMIN_TOKEN}` },
    });
    expect(bad.statusCode).toBe(400);
  });

  it("only its own retention deletes entries, and it says so", async () => {
    await expect(t.db.$executeRaw`DELETE FROM audit_log WHERE at < '2020-01-01'`).rejects.toThrow(
      /append-only/,
    );
    now = new Date("2026-11-20T08:00:00Z");
    const pruned = await pruneAuditLog(
      { db: t.db, clock },
      { months: 72, actor: "job:privacy.retention" },
    );
    expect(pruned.deleted).toBe(1);
    expect((await queryAudit(deps(), { action: "contacts.imported" })).length).toBe(0);
    const entry = await queryAudit(deps(), { action: "audit.pruned" });
    expect(entry[0]!.detail).toMatchObject({ deleted: 1, months: 72 });
    expect((await queryAudit(deps(), { action: "campaign.scheduled" })).length).toBe(1);
  });
});
