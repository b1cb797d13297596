// Access, portability and correction against real PostgreSQL and the real
// admin API: the export holds everything created for the person and nothing
// of anyone else; a correction's audit entry names fields, not values; every
// request is a row with its deadline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createList } from "../../src/contacts/create-list.ts";
import { subscribeContact } from "../../src/contacts/subscribe-contact.ts";
import { correctContact } from "../../src/privacy/correct-contact.ts";
import { exportContact, type ContactExport } from "../../src/privacy/export-contact.ts";
import { listPrivacyRequests } from "../../src/privacy/list-privacy-requests.ts";
import { renderExportHtml } from "../../src/privacy/render-export-html.ts";
import { touchContact } from "../../src/privacy/touch-contact.ts";
import { testKeys } from "../support/app-config.ts";
import { startTestServer, type TestServer } from "./http-server.ts";

let t: TestServer;
const deps = () => ({ db: t.db, config: t.config, clock: t.app.clock, log: t.app.log });

interface Seeded {
  contactId: number;
  deliveryId: number;
  dialogueId: number;
  eventId: number;
  strings: string[];
}

async function seed(key: string, campaignId: number, partnerId: number): Promise<Seeded> {
  const email = `${key}.export@example.test`;
  const name = `${key[0]!.toUpperCase()}${key.slice(1)} Exportsson`;
  const phone = key === "ann" ? "+47 911 00 001" : "+47 922 00 002";
  const { contactId } = await subscribeContact(deps(), {
    email,
    name,
    list: "news",
    source: `${key}-trade-fair`,
    evidence: { method: "cli", reference: `${key}-form-1` },
  });
  await t.db.contact.update({ where: { id: contactId }, data: { phone, company: `${key} AS` } });
  const delivery = await t.db.delivery.create({
    data: {
      campaignId,
      contactId,
      messageId: `${key}.c${campaignId}@example.test`,
      status: "sent",
    },
    select: { id: true },
  });
  const dialogue = await t.db.dialogueRecord.create({
    data: {
      contactId,
      kind: "reply",
      subject: `${key} asks`,
      body: `${key} body`,
      receivedAt: new Date(),
    },
    select: { id: true },
  });
  const { eventId } = await touchContact(deps(), {
    email,
    via: "meeting",
    note: `${key} met`,
    actor: "cli",
  });
  await t.db.contactPartner.create({ data: { contactId, partnerId } });
  await t.db.partnerDisclosure.create({
    data: { contactId, partnerId, exportId: `${key}-export-1`, disclosedAt: new Date() },
  });
  return {
    contactId,
    deliveryId: delivery.id,
    dialogueId: dialogue.id,
    eventId,
    strings: [
      email,
      name,
      phone,
      `${key}-trade-fair`,
      `${key}-form-1`,
      `${key} asks`,
      `${key} met`,
      `${key}-export-1`,
    ],
  };
}

let ann: Seeded;
let bob: Seeded;

beforeAll(async () => {
  t = await startTestServer();
  await createList({ db: t.db }, { slug: "news", name: "Monthly news" });
  const campaign = await t.db.campaign.create({
    data: { slug: "oct", template: "monthly", subject: "October news" },
    select: { id: true },
  });
  const partner = await t.db.partner.create({
    data: { name: "Reseller AS" },
    select: { id: true },
  });
  ann = await seed("ann", campaign.id, partner.id);
  bob = await seed("bob", campaign.id, partner.id);
});

afterAll(async () => {
  await t?.close();
});

describe("export", () => {
  let doc: ContactExport;

  it("holds everything created for the person, and nothing of another", async () => {
    doc = await exportContact(deps(), {
      email: "ANN.export@example.test",
      verification: { method: "signed-letter", reference: "DMS 17" },
      actor: "cli",
    });
    expect(doc.contact).toMatchObject({
      id: ann.contactId,
      email: "ann.export@example.test",
      phone: "+47 911 00 001",
    });
    expect(doc.subscriptions).toEqual([
      expect.objectContaining({ list: "news", status: "subscribed" }),
    ]);
    expect(doc.consentLedger).toEqual([
      expect.objectContaining({
        purpose: "newsletter:news",
        action: "grant",
        source: "ann-trade-fair",
      }),
    ]);
    expect(doc.deliveries.map((d) => d.id)).toEqual([ann.deliveryId]);
    expect(doc.deliveries[0]).toMatchObject({ campaign: "oct", subject: "October news" });
    expect(doc.dialogueRecords.map((d) => d.id)).toEqual([ann.dialogueId]);
    expect(doc.contactEvents.map((e) => e.id)).toEqual([ann.eventId]);
    expect(doc.partners).toEqual([expect.objectContaining({ partner: "Reseller AS" })]);
    expect(doc.disclosures).toEqual([
      expect.objectContaining({
        partner: "Reseller AS",
        exportId: "ann-export-1",
        fields: ["name", "email", "phone", "company"],
      }),
    ]);
    expect(doc.privacyRequests).toEqual([
      expect.objectContaining({ reference: doc.request.reference, kind: "export", state: "done" }),
    ]);

    const text = JSON.stringify(doc);
    for (const s of ann.strings) expect(text, s).toContain(s);
    for (const s of bob.strings) expect(text, s).not.toContain(s);
    const bobIds = [bob.deliveryId, bob.dialogueId, bob.eventId];
    const ids = [...doc.deliveries, ...doc.dialogueRecords, ...doc.contactEvents].map((r) => r.id);
    for (const id of bobIds) expect(ids).not.toContain(id);
    expect(
      Object.values(doc.otherRecords)
        .flat()
        .every((r) => r.contact_id === ann.contactId),
    ).toBe(true);

    const html = renderExportHtml(doc);
    expect(html).toContain("Ann Exportsson");
    expect(html).toContain("Reseller AS");
    for (const s of bob.strings) expect(html).not.toContain(s);
    expect(html).not.toContain("<script");
  });

  it("is recorded as a request with how the requester was verified and a one-month deadline", async () => {
    const rows = await listPrivacyRequests(deps());
    const row = rows.find((r) => r.reference === doc.request.reference)!;
    expect(row).toMatchObject({
      kind: "export",
      state: "done",
      verificationMethod: "signed-letter",
      verificationReference: "DMS 17",
      overdue: false,
    });
    expect(row.dueAt.getTime() - row.receivedAt.getTime()).toBeGreaterThanOrEqual(28 * 86_400_000);
  });

  it("the admin API answers the same, and lists the requests", async () => {
    const auth = { authorization: `Bearer ${testKeys.ADMIN_TOKEN}` };
    const res = await t.server.inject({
      method: "POST",
      url: "/api/privacy/exports",
      headers: auth,
      payload: { email: "bob.export@example.test", verifiedBy: "email-from-address" },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<ContactExport>();
    expect(body.contact).toMatchObject({ id: bob.contactId });
    for (const s of ann.strings) expect(res.body).not.toContain(s);
    const list = await t.server.inject({
      method: "GET",
      url: "/api/privacy/requests",
      headers: auth,
    });
    expect(
      list.json<{ requests: Array<{ reference: string }> }>().requests.map((r) => r.reference),
    ).toContain(body.request.reference);
    const missing = await t.server.inject({
      method: "POST",
      url: "/api/privacy/exports",
      headers: auth,
      payload: { email: "nobody@example.test", verifiedBy: "x" },
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe("correction", () => {
  it("changes the fields, audits which fields changed (not the values), and keeps the values beside the person", async () => {
    const r = await correctContact(deps(), {
      email: "ann.export@example.test",
      changes: { name: "Ann Berg", phone: "+47 911 00 001", company: "" },
      verification: { method: "email-from-address" },
      actor: "cli",
    });
    expect(r.changed.sort()).toEqual(["company", "name"]);
    const contact = await t.db.contact.findUniqueOrThrow({ where: { id: ann.contactId } });
    expect(contact).toMatchObject({ name: "Ann Berg", company: null, phone: "+47 911 00 001" });
    const audit = await t.db.auditEntry.findFirstOrThrow({
      where: { action: "contact.corrected", subjectId: String(ann.contactId) },
    });
    expect(audit.detail).toEqual({ fields: ["name", "company"], request: r.reference });
    expect(JSON.stringify(audit)).not.toContain("Ann Berg");
    const correction = await t.db.contactCorrection.findFirstOrThrow({
      where: { contactId: ann.contactId },
    });
    expect(correction.changes).toEqual({
      name: { from: "Ann Exportsson", to: "Ann Berg" },
      company: { from: "ann AS", to: null },
    });
    await expect(
      correctContact(deps(), {
        email: "ann.export@example.test",
        changes: { customerStatus: "x" },
        verification: { method: "x" },
        actor: "cli",
      }),
    ).rejects.toThrow(/cannot correct "customerStatus"/);
  });
});
