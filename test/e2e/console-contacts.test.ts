// The console's lists, CSV import and contacts pages in Debian's Chromium
// against the real server on real PostgreSQL: a marketing operator creates a
// list, imports a file with a bad row (the error line is shown, the good rows
// are imported), finds a contact and reads the consent ledger with its
// evidence; the erase action is neither shown nor reachable for that role.
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
let marketing: Awaited<ReturnType<typeof createOperator>>;

beforeAll(async () => {
  c = await startConsole();
  marketing = await createOperator(c.db, "marketing");
  page = await c.newPage();
  await signIn(page, c.url, marketing.email, marketing.password);
}, 180_000);

/** Script errors and CSP violations; a 4xx answer the test asked for is not one. */
const scriptErrors = (p: Page) =>
  pageErrorsOf(p).filter(
    (e) => !e.startsWith("Failed to load resource: the server responded with a status of 4"),
  );

afterAll(async () => {
  await c?.close();
});

describe("lists", () => {
  it("creates a list, opens it to the sign-up form, and shows counts and growth", async () => {
    await page.goto(`${c.url}/admin/lists`);
    await checkAxe(page);
    await page.getByLabel("Short name (slug)").fill("fair-news");
    await page.getByLabel("Name", { exact: true }).fill("Trade fair news");
    await page.getByRole("button", { name: "Create list" }).click();
    await page.waitForURL(/notice=created/);
    expect(await page.getByRole("status").first().textContent()).toContain(
      'List "fair-news" created.',
    );
    await page.getByRole("button", { name: "Open to sign-up form: fair-news" }).click();
    await page.waitForURL(/notice=opened/);
    const list = await c.db.list.findUniqueOrThrow({ where: { slug: "fair-news" } });
    expect(list.public).toBe(true);
    const audit = await c.db.auditEntry.findMany({
      where: { subjectType: "list", subjectId: String(list.id) },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ["list.created", `operator:${marketing.id}`],
      ["list.visibility_changed", `operator:${marketing.id}`],
    ]);
    // A creation error is shown on the form with the value kept.
    await page.getByLabel("Short name (slug)").fill("fair-news");
    await page.getByLabel("Name", { exact: true }).fill("Again");
    await page.getByRole("button", { name: "Create list" }).click();
    expect(await page.getByRole("alert").textContent()).toContain(
      'list "fair-news" already exists',
    );
    await checkAxe(page);
  }, 120_000);
});

describe("CSV import", () => {
  it("maps the columns, shows progress to the end, lists the bad line and imports the rest", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "console-import-"));
    const file = path.join(dir, "fair-2026.csv");
    await writeFile(
      file,
      [
        "E-Mail Address,Full Name,Organisation,Opt-in,Consent date,Favourite colour",
        "ann.berg@example.test,Ann Berg,Harbour AS,yes,2026-11-20,blue",
        "not-an-address,Bad Row,Nowhere,yes,2026-11-20,red",
        "bo.lund@example.test,Bo Lund,,no,,green",
      ].join("\n"),
    );
    await page.goto(`${c.url}/admin/contacts`);
    await page.getByRole("link", { name: "Import contacts from a CSV file" }).click();
    await checkAxe(page);
    await page.getByLabel("CSV file").setInputFiles(file);
    await page.getByLabel("Subscribe rows with consent to").selectOption("fair-news");
    await page.getByLabel("Where the consent was collected").fill("2026 trade fair sign-up sheet");
    await screenshot(page, "contacts-import-upload");
    await page.getByRole("button", { name: "Upload and map columns" }).click();
    await page.waitForURL(/\/admin\/contacts\/import\/[0-9a-f-]{36}$/);

    // The mapping is guessed from the header; the unknown column is left out.
    const select = (column: string) => page.getByRole("combobox", { name: column, exact: true });
    expect(await select("E-Mail Address").inputValue()).toBe("email");
    expect(await select("Full Name").inputValue()).toBe("name");
    expect(await select("Organisation").inputValue()).toBe("company");
    expect(await select("Opt-in").inputValue()).toBe("consent");
    expect(await select("Consent date").inputValue()).toBe("consented_at");
    expect(await select("Favourite colour").inputValue()).toBe("");
    await checkAxe(page);
    await screenshot(page, "contacts-import-mapping");

    // A mapping without email is refused with the reason, and nothing is written.
    await select("E-Mail Address").selectOption("");
    await page.getByRole("button", { name: "Import" }).click();
    expect(await page.getByRole("alert").textContent()).toContain(
      "no column is mapped to email; expected exactly one",
    );
    expect(await c.db.contact.count()).toBe(0);
    await select("E-Mail Address").selectOption("email");
    await page.getByRole("button", { name: "Import" }).click();

    await page.waitForURL(/\/status$/);
    await page.getByText("Import finished").waitFor({ timeout: 30_000 });
    const refused = page.getByRole("table", { name: /Lines refused/ });
    const row = refused.getByRole("row").nth(1);
    expect(await row.getByRole("rowheader").textContent()).toBe("3");
    const cells = await row.getByRole("cell").allTextContents();
    expect(cells[0]).toBe('invalid email "not-an-address"');
    expect(cells[1]).toMatch(/^an address such as name@example.com/);
    expect(await refused.getByRole("row").count()).toBe(2);
    await checkAxe(page);
    await screenshot(page, "contacts-import-result");

    const contacts = await c.db.contact.findMany({
      select: { email: true, company: true, subscriptions: { select: { status: true } } },
      orderBy: { email: "asc" },
    });
    expect(contacts).toEqual([
      {
        email: "ann.berg@example.test",
        company: "Harbour AS",
        subscriptions: [{ status: "subscribed" }],
      },
      { email: "bo.lund@example.test", company: null, subscriptions: [] },
    ]);
    const imported = await c.db.auditEntry.findFirstOrThrow({
      where: { action: "contacts.imported" },
    });
    expect(imported.actor).toBe(`operator:${marketing.id}`);
    expect(imported.detail).toMatchObject({ rows: 3, imported: 2, subscribed: 1, errors: 1 });
    expect(scriptErrors(page)).toEqual([]);
  }, 120_000);
});

describe("CSV import progress", () => {
  it("htmx polls the progress while a larger file imports, until the outcome replaces it", async () => {
    const rows = 6000;
    const dir = await mkdtemp(path.join(os.tmpdir(), "console-import-"));
    const file = path.join(dir, "big.csv");
    const lines = Array.from({ length: rows }, (_, i) => `bulk${i}@example.test,Bulk ${i},yes`);
    await writeFile(file, ["email,name,consent", ...lines].join("\n"));
    await page.goto(`${c.url}/admin/contacts/import`);
    await page.getByLabel("CSV file").setInputFiles(file);
    await page.getByLabel("Subscribe rows with consent to").selectOption("fair-news");
    await page.getByLabel("Where the consent was collected").fill("bulk test");
    await page.getByRole("button", { name: "Upload and map columns" }).click();
    await page.waitForURL(/\/admin\/contacts\/import\/[0-9a-f-]{36}$/);
    const polls: number[] = [];
    page.on("response", (r) => {
      if (r.url().endsWith("/progress")) polls.push(r.status());
    });
    const started = Date.now();
    const status = page.waitForResponse((r) => r.url().endsWith("/status"));
    await page.getByRole("button", { name: "Import" }).click();
    const firstHtml = await (await status).text();
    if (firstHtml.includes("hx-get"))
      await screenshot(page, "contacts-import-progress").catch(() => "");
    await page.getByText("Import finished").waitFor({ timeout: 90_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `console import: ${rows} rows in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s), ${polls.length} progress polls`,
    );
    // Started while the import ran: only htmx's polling can have brought the outcome in.
    if (firstHtml.includes("hx-get")) expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((s) => s === 200)).toBe(true);
    expect(await c.db.contact.count({ where: { email: { startsWith: "bulk" } } })).toBe(rows);
    expect(scriptErrors(page)).toEqual([]);
  }, 150_000);
});

describe("contacts", () => {
  it("finds a contact and shows the consent ledger with its evidence", async () => {
    const ann = await c.db.contact.findUniqueOrThrow({ where: { email: "ann.berg@example.test" } });
    await c.db.consentEvent.create({
      data: {
        contactId: ann.id,
        purpose: "newsletter:*",
        action: "withdraw",
        legalBasis: "consent",
        source: "preference-centre",
        evidence: { ip: "192.0.2.7", userAgent: "Mozilla/5.0 (test)" },
      },
    });
    await c.db.dialogueRecord.create({
      data: {
        contactId: ann.id,
        kind: "reply",
        subject: "Re: Trade fair news",
        body: "Could you send the price list?",
        receivedAt: new Date(),
        mailbox: "sales",
      },
    });
    await page.goto(`${c.url}/admin/contacts`);
    await page.getByLabel("Email, name or company contains").fill("harbour");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=harbour/);
    expect(await page.getByRole("status").innerText()).toMatch(/1 contact matching/);
    await checkAxe(page);
    await screenshot(page, "contacts-search");
    await page.getByRole("link", { name: "ann.berg@example.test" }).click();
    await page.waitForURL(new RegExp(`/admin/contacts/${ann.id}$`));
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Ann Berg");

    const ledger = page.getByRole("table", { name: "Consent events with their evidence" });
    const text = (await ledger.textContent()) ?? "";
    // The import's grant names the file and the line; the withdrawal its IP and browser.
    expect(text).toContain("newsletter:fair-news");
    expect(text).toContain("2026 trade fair sign-up sheet");
    expect(text).toContain("fair-2026.csv");
    expect(text).toMatch(/line\s*2/);
    expect(text).toContain("192.0.2.7");
    expect(text).toContain("withdraw");
    expect(await page.getByText("Re: Trade fair news").isVisible()).toBe(true);
    expect(await page.getByText(/kept by rule subscribed/).isVisible()).toBe(true);
    // Marketing sees no privacy actions.
    expect(await page.getByRole("link", { name: "Erase this contact" }).count()).toBe(0);
    await checkAxe(page);
    await screenshot(page, "contact-page");

    // ... and is refused them by URL too, with or without a valid form token.
    const get = await page.request.get(`${c.url}/admin/contacts/${ann.id}/erase`);
    expect(get.status()).toBe(403);
    const token = await page.locator('meta[name="csrf-token"]').getAttribute("content");
    const post = await page.request.post(`${c.url}/admin/contacts/${ann.id}/erase`, {
      form: { _csrf: token!, kind: "erasure", verifiedBy: "signed-letter", confirm: "yes" },
      headers: { origin: c.url },
    });
    expect(post.status()).toBe(403);
    expect(await c.db.contact.count({ where: { id: ann.id } })).toBe(1);
    expect(scriptErrors(page)).toEqual([]);
  }, 120_000);
});
