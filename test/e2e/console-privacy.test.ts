// The console's privacy work in Debian's Chromium against the real server on
// real PostgreSQL: a privacy operator erases a contact through the confirm
// step and the audit log shows operator:<id>; the audit filters and paging;
// requests with deadlines (record, open, close); the retention dry run; the
// exports (a person's data as HTML and JSON, the partner file of four fields);
// a correction. A marketing operator gets 403 on the privacy pages.
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedSubscribers } from "../integration/http-server.ts";
import {
  checkAxe,
  createOperator,
  pageErrorsOf,
  screenshot,
  signIn,
  startConsole,
  type ConsoleTest,
} from "../support/console.ts";

let c: ConsoleTest;
let page: Page;
let officer: Awaited<ReturnType<typeof createOperator>>;
let contactIds: number[];

const scriptErrors = (p: Page) =>
  pageErrorsOf(p).filter(
    (e) => !e.startsWith("Failed to load resource: the server responded with a status of 4"),
  );

beforeAll(async () => {
  c = await startConsole();
  officer = await createOperator(c.db, "privacy");
  ({ contactIds } = await seedSubscribers(c.db, {
    lists: ["news"],
    contacts: 3,
    emailPrefix: "priv",
  }));
  await c.db.contact.update({
    where: { id: contactIds[0]! },
    data: { name: "Erin Erase", phone: "+47 400 00 001", company: "Fjord AS" },
  });
  await c.db.consentEvent.create({
    data: {
      contactId: contactIds[0]!,
      purpose: "newsletter:news",
      action: "grant",
      legalBasis: "consent",
      source: "web-form",
      evidence: { ip: "198.51.100.4", form: "footer" },
    },
  });
  // Nobody has kept in touch with this one for years: the retention dry run must list her.
  await c.db.contact.create({
    data: {
      email: "old.olga@example.test",
      name: "Old Olga",
      createdAt: new Date("2020-01-15T00:00:00Z"),
    },
  });
  const partner = await c.db.partner.create({ data: { name: "Reseller AS" } });
  await c.db.contactPartner.create({ data: { contactId: contactIds[1]!, partnerId: partner.id } });
  page = await c.newPage();
  await signIn(page, c.url, officer.email, officer.password);
}, 180_000);

afterAll(async () => {
  await c?.close();
});

describe("erasure from the contact page", () => {
  it("asks first, then erases the person and audits it as the operator", async () => {
    const id = contactIds[0]!;
    await page.goto(`${c.url}/admin/contacts/${id}`);
    await checkAxe(page);
    await page.getByRole("link", { name: "Erase this contact" }).click();
    await page.waitForURL(new RegExp(`/admin/contacts/${id}/erase$`));
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Erase this contact?");
    expect(await page.getByText(/1\s+consent events/).isVisible()).toBe(true);
    await checkAxe(page);
    await screenshot(page, "privacy-erase-confirm");
    // Opening the confirmation changed nothing.
    expect(await c.db.contact.count({ where: { id } })).toBe(1);

    await page.getByLabel("How the requester was verified").fill("signed-letter");
    await page.getByLabel(/Where the proof is kept/).fill("DMS #4711");
    // Without the confirmation tick the browser does not send the form.
    await page.getByRole("button", { name: /^Erase / }).click();
    expect(await c.db.contact.count({ where: { id } })).toBe(1);
    await page.getByLabel("I understand that the erasure cannot be undone").check();
    await page.getByRole("button", { name: /^Erase / }).click();
    await page.getByRole("heading", { name: "Contact erased" }).waitFor();
    expect(await c.db.contact.count({ where: { id } })).toBe(0);

    const erased = await c.db.auditEntry.findFirstOrThrow({ where: { action: "contact.erased" } });
    expect(erased.actor).toBe(`operator:${officer.id}`);
    expect(JSON.stringify(erased)).not.toContain("priv0.");

    await page.getByRole("link", { name: "its audit entries" }).click();
    await page.waitForURL(/\/admin\/privacy\/audit\?subject=address_hash/);
    const rows = page.getByRole("table", { name: "Audit entries, newest first" }).getByRole("row");
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toContain(`operator:${officer.id}`);
    expect(await rows.nth(1).textContent()).toContain("contact.erased");
    expect(scriptErrors(page)).toEqual([]);
  }, 120_000);
});

describe("the audit log", () => {
  it("filters by actor, action and days, and pages by id", async () => {
    await c.db.auditEntry.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        actor: "worker",
        action: "test.filler",
        subjectType: "campaign",
        subjectId: String(i),
      })),
    });
    await page.goto(`${c.url}/admin/privacy/audit`);
    await checkAxe(page);
    await screenshot(page, "privacy-audit");
    const table = page.getByRole("table", { name: "Audit entries, newest first" });
    expect(await table.getByRole("row").count()).toBe(51); // header + one page of 50
    await page.getByRole("link", { name: "Older" }).click();
    await page.waitForURL(/before=\d+/);
    expect(await table.getByRole("row").count()).toBeGreaterThan(1);
    expect(await page.getByRole("link", { name: "Newest" }).isVisible()).toBe(true);

    await page.goto(`${c.url}/admin/privacy/audit`);
    await page.getByLabel("Actor").fill(`operator:${officer.id}`);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/actor=operator/);
    const actors = await table.locator("tbody tr td:nth-child(2)").allTextContents();
    expect(actors.length).toBeGreaterThan(0);
    expect(new Set(actors)).toEqual(new Set([`operator:${officer.id}`]));

    await page.getByLabel("Actor").fill("");
    await page.getByLabel("Action").fill("privacy.*");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/action=privacy/);
    const actions = await table.locator("tbody tr td:nth-child(3)").allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.startsWith("privacy."))).toBe(true);

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("From (day, UTC)").fill(tomorrow);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/from=/);
    expect(await page.getByText("No audit entries match.").isVisible()).toBe(true);
    await checkAxe(page);
  }, 120_000);
});

describe("data-subject requests", () => {
  it("lists them with deadlines, records one, opens it and closes it", async () => {
    await page.goto(`${c.url}/admin/privacy`);
    const list = page.getByRole("table", { name: /Data-subject requests/ });
    expect(await list.textContent()).toContain("erasure");
    await page.getByLabel("Kind", { exact: true }).last().selectOption("export");
    await page.getByLabel("The requester's address").fill("priv1.someone@example.test");
    await page.getByLabel("How the requester was verified").fill("email-from-address");
    await page.getByRole("button", { name: "Record the request" }).click();
    await page.waitForURL(/\/admin\/privacy\/requests\/DSR-\d{8}-[0-9A-F]{6}$/);
    const reference = page.url().split("/").pop()!;
    const row = await c.db.privacyRequest.findUniqueOrThrow({ where: { reference } });
    expect(row.state).toBe("received");
    expect(row.actor).toBe(`operator:${officer.id}`);
    // One month to answer (GDPR art. 12(3)).
    expect(row.dueAt.getTime() - row.receivedAt.getTime()).toBeGreaterThan(27 * 86_400_000);
    await checkAxe(page);
    await screenshot(page, "privacy-request");
    await page.getByRole("button", { name: "Mark as done" }).click();
    await page.getByText("privacy.request_done").waitFor();
    expect((await c.db.privacyRequest.findUniqueOrThrow({ where: { reference } })).state).toBe(
      "done",
    );

    await page.goto(`${c.url}/admin/privacy`);
    await checkAxe(page);
    await screenshot(page, "privacy-requests");
  }, 120_000);
});

describe("retention and exports", () => {
  it("the dry run lists who would go and changes nothing", async () => {
    await page.goto(`${c.url}/admin/privacy/retention`);
    await page.getByRole("button", { name: "Run the dry run" }).click();
    await page.waitForURL(/run=1/);
    const due = page.getByRole("table", { name: /would erase/ });
    expect(await due.textContent()).toContain("old.olga@example.test");
    expect(await due.textContent()).not.toContain("priv1.");
    expect(await c.db.contact.count({ where: { email: "old.olga@example.test" } })).toBe(1);
    await checkAxe(page);
    await screenshot(page, "privacy-retention");
  }, 120_000);

  it("exports one person as HTML and JSON, and a partner file of four fields", async () => {
    const bo = await c.db.contact.findUniqueOrThrow({ where: { id: contactIds[1]! } });
    await page.goto(`${c.url}/admin/privacy/exports`);
    await checkAxe(page);
    await screenshot(page, "privacy-exports");

    const form = page.locator('form[action="/admin/privacy/exports/contact"]');
    await form.getByLabel("The person's address").fill(bo.email);
    await form.getByLabel("How the requester was verified").fill("signed-letter");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      form.getByRole("button", { name: "Download JSON" }).click(),
    ]);
    const doc = JSON.parse(await readFile((await download.path())!, "utf8"));
    expect(doc.format).toBe("mailsteward-contact-export/1");
    expect(doc.contact.email).toBe(bo.email);

    await form.getByRole("button", { name: "View as HTML" }).click();
    await page.getByRole("heading", { name: /Everything we hold about/ }).waitFor();
    expect(await page.content()).toContain(bo.email);

    await page.goto(`${c.url}/admin/privacy/exports`);
    const [partnerFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download the partner file (JSON)" }).click(),
    ]);
    const shared = JSON.parse(await readFile((await partnerFile.path())!, "utf8"));
    expect(shared.partner).toBe("Reseller AS");
    expect(shared.records).toEqual([
      { name: bo.name, email: bo.email, phone: null, company: null },
    ]);
    const audit = await c.db.auditEntry.findMany({
      where: { actor: `operator:${officer.id}`, action: { contains: "partner" } },
    });
    expect(audit.length).toBe(1);
  }, 120_000);

  it("corrects a field, recording which field changed", async () => {
    const id = contactIds[2]!;
    await page.goto(`${c.url}/admin/contacts/${id}/correct`);
    await checkAxe(page);
    await page.getByLabel("Name").fill("Corrected Name");
    await page.getByLabel("How the requester was verified").fill("phone-callback");
    await page.getByRole("button", { name: "Save the correction" }).click();
    expect(await page.getByRole("status").first().textContent()).toContain("Corrected Name (");
    expect((await c.db.contact.findUniqueOrThrow({ where: { id } })).name).toBe("Corrected Name");
    const entry = await c.db.auditEntry.findFirstOrThrow({
      where: { action: "contact.corrected" },
    });
    expect(entry.actor).toBe(`operator:${officer.id}`);
    expect(entry.detail).toMatchObject({ fields: ["name"] });
    expect(scriptErrors(page)).toEqual([]);
  }, 120_000);
});

describe("roles", () => {
  it("a marketing operator sees no privacy link and gets 403 on the privacy pages", async () => {
    const marketing = await createOperator(c.db, "marketing");
    const other = await c.newPage();
    await signIn(other, c.url, marketing.email, marketing.password);
    expect(await other.getByRole("link", { name: "Privacy" }).count()).toBe(0);
    for (const path of ["/admin/privacy", "/admin/privacy/audit", "/admin/privacy/retention"]) {
      const res = await other.request.get(`${c.url}${path}`);
      expect(res.status(), path).toBe(403);
    }
  }, 120_000);
});
