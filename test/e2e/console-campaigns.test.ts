// The console's campaign and template pages in a real browser (Debian's Chromium) against the real
// server on real PostgreSQL, an SMTP sink and the worker's job runner: a marketing operator
// composes a campaign from a template, sees the preview follow, sends a test to themself, schedules
// it and watches it reach 100%, opens the report; problems show at their field; templates edit.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
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
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";

let c: ConsoleTest;
let sink: SmtpSink;
let templatesDir: string;
let marketer: Awaited<ReturnType<typeof createOperator>>;
const audience = 24;

beforeAll(async () => {
  sink = await startSmtpSink();
  // A writable copy of the shipped templates: the template editor saves into it.
  templatesDir = await fs.mkdtemp(path.join(os.tmpdir(), "mailsteward-console-templates-"));
  await fs.cp(path.resolve(import.meta.dirname, "../../templates"), templatesDir, {
    recursive: true,
  });
  c = await startConsole({
    env: {
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      TEMPLATES_DIR: templatesDir,
      SEND_BATCH_SIZE: "5",
      SEND_RETRY_DELAY_SECONDS: "1",
    },
  });
  await seedSubscribers(c.db, { lists: ["news"], contacts: audience });
  await c.db.list.update({ where: { slug: "news" }, data: { name: "Company News" } });
  await c.app.jobs.start();
  marketer = await createOperator(c.db, "marketing");
}, 180_000);

afterAll(async () => {
  await c?.close();
  await sink?.close();
  if (templatesDir) await fs.rm(templatesDir, { recursive: true, force: true });
});

/** The desktop preview iframe's document text, once it contains `needle`. */
async function waitForPreview(page: Page, needle: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const frame = page.frameLocator('iframe[title="Newsletter: desktop preview"]');
        return (
          (await frame
            .locator("body")
            .textContent({ timeout: 2000 })
            .catch(() => "")) ?? ""
        );
      },
      { timeout: 30_000, interval: 300 },
    )
    .toContain(needle);
}

describe("campaigns in the console", () => {
  it("composes from a template, previews as it is typed, tests, schedules, sends to 100% and reports", async () => {
    const page = await c.newPage();
    await signIn(page, c.url, marketer.email, marketer.password, "/admin/campaigns");
    await expect(
      page.getByRole("heading", { name: "Campaigns", level: 1 }).isVisible(),
    ).resolves.toBe(true);
    await checkAxe(page);
    await screenshot(page, "campaigns-list-empty");

    await page.getByRole("link", { name: "New campaign" }).click();
    await page.getByLabel("Short name").fill("december-news");
    await page.getByLabel("Subject", { exact: true }).fill("December news for {{name}}");
    await page.getByLabel(/Company News/).check();
    await checkAxe(page);
    await screenshot(page, "campaign-new");
    await page.getByRole("button", { name: "Create draft" }).click();
    await page.waitForURL(/\/admin\/campaigns\/december-news\?notice=created/);

    // the template's sample content, rendered by the real MJML pipeline
    await waitForPreview(page, "Our first article");
    await expect(page.getByTestId("audience-count").textContent()).resolves.toBe(String(audience));

    // typing Markdown updates the preview and the plain-text part
    await page
      .getByLabel("Introduction")
      .fill("Hello from **December**, with a [link](https://example.com/dec).");
    await waitForPreview(page, "Hello from December");
    const frame = page.frameLocator('iframe[title="Newsletter: desktop preview"]');
    await expect(frame.locator("strong", { hasText: "December" }).count()).resolves.toBeGreaterThan(
      0,
    );
    await expect
      .poll(() => page.locator(".text-part pre").textContent(), { timeout: 20_000 })
      .toContain("Hello from December, with a link [https://example.com/dec]");

    // add an article and move it up with the keyboard only
    await page.getByRole("button", { name: "Add an article" }).focus();
    await page.keyboard.press("Enter");
    await expect
      .poll(
        () =>
          page.evaluate(
            () =>
              (globalThis as unknown as { document: { activeElement: { id: string } | null } })
                .document.activeElement?.id,
          ),
        { timeout: 15_000 },
      )
      .toBe("f-article-title-1");
    await page.keyboard.type("Winter opening hours");
    await page.getByLabel("Text (Markdown)").nth(1).fill("Open **every day** from 9 to 17.");
    await page.locator('button[value="up-1"]').focus();
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.locator("#f-article-title-0").inputValue(), { timeout: 15_000 })
      .toBe("Winter opening hours");
    await waitForPreview(page, "Winter opening hours");
    await checkAxe(page, { exclude: ["iframe"] });
    await screenshot(page, "campaign-editor");

    // problems show at their field: an unknown placeholder, a card number, a bad link
    await page.getByLabel("Subject", { exact: true }).fill("December news for {{nmae}}");
    await expect
      .poll(() => page.locator("#err-subject").textContent(), { timeout: 20_000 })
      .toContain('unknown placeholder "{{nmae}}"');
    await page.getByLabel("Subject", { exact: true }).fill("December news for {{name}}");
    await page
      .getByLabel("Text (Markdown)")
      .nth(1)
      .fill("Pay with card 4111 1111 1111 1111 today.");
    await expect
      .poll(() => page.locator("#err-article-body-1").textContent(), { timeout: 20_000 })
      .toContain("payment card number");
    await screenshot(page, "campaign-editor-problems");
    await page.getByLabel("Text (Markdown)").nth(1).fill("Say what it is about.");
    await expect
      .poll(() => page.locator("#err-article-body-1").textContent(), { timeout: 20_000 })
      .toBe("");

    // a test to yourself arrives at the SMTP sink, marked [TEST]
    await page.getByRole("button", { name: "Send a test to me" }).click();
    await expect(page.locator("main > p.notice").textContent()).resolves.toContain(
      `Test sent to ${marketer.email}`,
    );
    const test = await sink.waitFor(1, 30_000);
    expect(test[0]!.to).toEqual([marketer.email]);
    const raw = test[0]!.raw.toString("utf8");
    expect(raw).toMatch(/^Subject: \[TEST\] December news for /m);
    const audit = await c.db.auditEntry.findMany({
      where: { action: { in: ["campaign.updated", "campaign.test_sent"] } },
      select: { actor: true, action: true },
    });
    expect(audit.map((a) => a.actor)).toContain(`operator:${marketer.id}`);
    expect(audit.map((a) => a.action)).toContain("campaign.test_sent");

    // schedule now: the report follows the send to 100%
    page.on("dialog", (dialog) => void dialog.accept().catch(() => {}));
    await page.getByRole("button", { name: "Schedule" }).click();
    await page.waitForURL(/\/admin\/campaigns\/december-news\/report/);
    await expect
      .poll(() => page.getByTestId("percent").textContent(), { timeout: 90_000, interval: 500 })
      .toBe("100%");
    await sink.waitFor(1 + audience, 30_000);
    expect(sink.duplicates).toBe(0);
    await expect(page.locator("#report").textContent()).resolves.toContain(`${audience} sent`);
    await expect(page.locator("svg.timeline").count()).resolves.toBe(1);
    await checkAxe(page);
    await screenshot(page, "campaign-report");

    await page.goto(`${c.url}/admin/campaigns`);
    await expect(page.locator("tbody").textContent()).resolves.toContain("december-news");
    await checkAxe(page);
    await screenshot(page, "campaigns-list");
    // hx-sync="this:replace" aborts a preview request that a newer edit overtook; htmx logs the
    // abort (and the aborted request's end) as errors. Anything else is a real error.
    const aborted = (e: string) => /^htmx:(sendAbort|afterRequest), /.test(e);
    expect(pageErrorsOf(page).filter((e) => !aborted(e))).toEqual([]);
  }, 240_000);

  it("schedules a time in a time zone, and pauses, resumes and cancels", async () => {
    const page = await c.newPage();
    await signIn(page, c.url, marketer.email, marketer.password, "/admin/campaigns/new");
    await page.getByLabel("Short name").fill("later-news");
    await page.getByLabel("Subject", { exact: true }).fill("Later");
    await page.getByLabel(/Company News/).check();
    await page.getByRole("button", { name: "Create draft" }).click();
    await page.waitForURL(/later-news/);
    await waitForPreview(page, "Our first article");
    await page.getByLabel("Send at a time:").check();
    const year = new Date().getUTCFullYear() + 1;
    await page.getByLabel("Date and time").fill(`${year}-07-01T09:30`);
    await page.getByLabel("Time zone").selectOption("Europe/Oslo");
    page.on("dialog", (dialog) => void dialog.accept().catch(() => {}));
    // waiting for the report starts before the click: the confirm dialog, the POST and its
    // 303 can all be over before a wait begun after the click looks for them
    const reported = page.waitForURL(/later-news\/report/).catch(async (error: Error) => {
      const notice = await page
        .locator("main > p.notice")
        .textContent()
        .catch(() => "");
      throw new Error(`no report page after Schedule (notice: ${notice})`, { cause: error });
    });
    await page.getByRole("button", { name: "Schedule" }).click();
    await reported;
    const stored = await c.db.campaign.findUniqueOrThrow({
      where: { slug: "later-news" },
      select: { status: true, scheduledAt: true },
    });
    expect(stored.status).toBe("scheduled");
    // 09:30 in Oslo in July is CEST (UTC+2)
    expect(stored.scheduledAt?.toISOString()).toBe(`${year}-07-01T07:30:00.000Z`);

    await page.goto(`${c.url}/admin/campaigns/later-news`);
    await page.getByRole("button", { name: "Pause" }).click();
    await expect(page.locator("main > p.notice").textContent()).resolves.toContain("paused");
    await page.getByRole("button", { name: "Resume" }).click();
    await expect(page.locator("main > p.notice").textContent()).resolves.toContain("resumed");
    await checkAxe(page);
    await screenshot(page, "campaign-scheduled");
    await page.getByRole("button", { name: "Cancel the campaign" }).click();
    await expect(page.locator("main > p.notice").textContent()).resolves.toContain("cancelled");
    expect((await c.db.campaign.findUniqueOrThrow({ where: { slug: "later-news" } })).status).toBe(
      "cancelled",
    );
  }, 180_000);

  it("edits a template with errors at the line, previews it and saves it into TEMPLATES_DIR", async () => {
    const page = await c.newPage();
    await signIn(page, c.url, marketer.email, marketer.password, "/admin/templates");
    await expect(page.locator("tbody").textContent()).resolves.toContain(
      "newsletters/monthly.mjml",
    );
    await checkAxe(page);
    await screenshot(page, "templates-list");

    await page.getByRole("link", { name: "newsletters/monthly.mjml" }).click();
    await expect(page.locator(".CodeMirror").count()).resolves.toBe(1);
    await waitForTemplatePreview(page, "No problems");
    await checkAxe(page, { exclude: ["iframe"] });
    await screenshot(page, "template-editor");

    const file = path.join(templatesDir, "newsletters/monthly.mjml");
    const original = await fs.readFile(file, "utf8");
    const broken = original.replace("<mj-column>", "<mj-colum>");
    const setSource = (source: string) =>
      page.evaluate((s) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } })
          .document;
        const el = doc.querySelector(".CodeMirror") as {
          CodeMirror: { setValue(v: string): void };
        };
        el.CodeMirror.setValue(s);
      }, source);
    await setSource(broken);
    const line = broken.split("\n").findIndex((l) => l.includes("<mj-colum>")) + 1;
    await waitForTemplatePreview(page, `newsletters/monthly.mjml line ${line}`);
    await expect(page.locator(".CodeMirror .cm-error-line").count()).resolves.toBeGreaterThan(0);
    await screenshot(page, "template-editor-error");
    await page.getByRole("button", { name: /^Save/ }).click();
    await expect(page.locator("main > p.notice").textContent()).resolves.toContain("Not saved");
    expect(await fs.readFile(file, "utf8")).toBe(original);

    await setSource(original.replace("Hello {{name}},", "Good day {{name}},"));
    await waitForTemplatePreview(page, "Good day");
    await page.getByRole("button", { name: /^Save/ }).click();
    await page.waitForURL(/notice=saved/);
    expect(await fs.readFile(file, "utf8")).toContain("Good day {{name}},");
    const audit = await c.db.auditEntry.findFirst({
      where: { action: "template.saved", subjectId: "newsletters/monthly.mjml" },
    });
    expect(audit?.actor).toBe(`operator:${marketer.id}`);
    expect(pageErrorsOf(page).filter((e) => !/status of 422/.test(e))).toEqual([]);
  }, 180_000);

  it("is closed to a role without campaigns", async () => {
    const it = await createOperator(c.db, "it");
    const page = await c.newPage();
    await signIn(page, c.url, it.email, it.password);
    const response = await page.goto(`${c.url}/admin/campaigns`);
    expect(response?.status()).toBe(403);
    const templates = await page.goto(`${c.url}/admin/templates/newsletters/monthly`);
    expect(templates?.status()).toBe(403);
    await expect(page.getByRole("link", { name: "Campaigns" }).count()).resolves.toBe(0);
  }, 60_000);
});

async function waitForTemplatePreview(page: Page, needle: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const panel = (await page.locator("#template-preview").textContent()) ?? "";
        const frame = page.frameLocator('iframe[title$=": desktop preview"]');
        const inFrame = await frame
          .locator("body")
          .textContent({ timeout: 1000 })
          .catch(() => "");
        return panel + (inFrame ?? "");
      },
      { timeout: 30_000, interval: 300 },
    )
    .toContain(needle);
}
