// The thin slice of the foundation issue, end to end through the public
// surfaces: CSV import with and without consent, a campaign from the MJML
// templates, the Agenda job that sends it over real SMTP, an RFC 8058
// one-click POST to the link in the message, and a second campaign that skips
// that person. Runs on PostgreSQL and again on the embedded PGlite.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.ts";
import { importContacts } from "../../src/contacts/import-contacts.ts";
import { createList } from "../../src/contacts/create-list.ts";
import { start, type Running } from "../../src/main.ts";
import { campaignReport } from "../../src/newsletters/campaign-report.ts";
import { createCampaign } from "../../src/newsletters/create-campaign.ts";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { testKeys } from "../support/app-config.ts";
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from "../support/smtp-sink.ts";

const csv = [
  "email,name,company,consent,consented_at",
  "ada@example.test,Ada Lovelace,Analytical Ltd,yes,2026-10-01T10:00:00Z",
  "grace@example.test,Grace Hopper,Navy,yes,2026-10-02T10:00:00Z",
  "linus@example.test,Linus,Kernel Co,true,",
  "no-consent@example.test,Nobody,Acme,no,",
  "silent@example.test,Silent,Acme,,",
  "not-an-address,Broken,Acme,yes,",
].join("\n");
const consenting = ["ada@example.test", "grace@example.test", "linus@example.test"];

const content = {
  intro: "What happened this month.",
  articles: [1, 2, 3, 4, 5].map((n) => ({
    title: `Article ${n}`,
    body: `Body of article ${n}.`,
    url: `https://example.test/a/${n}`,
  })),
};

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForStatus(running: Running, slug: string, status: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    const report = await campaignReport(running.app.db, slug);
    if (report.status === status) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`campaign ${slug} did not reach ${status}`);
}

const stores = [
  { name: "PostgreSQL", embedded: false },
  { name: "embedded PGlite", embedded: true },
];

describe.each(stores)("the thin slice on $name", ({ embedded }) => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  let sink: SmtpSink;
  let running: Running;
  let base: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    if (embedded) dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ms-slice-"));
    else database = await createTestDatabase();
    const config = loadConfig(
      {
        ...testKeys,
        ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: path.join(dataDir!, ".data") }),
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        PORT: String(port),
        PUBLIC_BASE_URL: base,
        MAIL_FROM: "Example News <news@example.test>",
        POSTAL_ADDRESS: "Example Ltd, 1 Harbour Street, 1000 Town",
        JOB_LOCK_LIFETIME_SECONDS: "5",
        LOG_LEVEL: "warn",
      },
      () => {},
    );
    running = await start({ purpose: "slice test", config });
  });

  afterAll(async () => {
    await running?.stop();
    await sink?.close();
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("imports contacts, keeping consent apart from the rest and reporting the bad row", async () => {
    const app = running.app;
    await createList(app, {
      slug: "news",
      name: "Company news",
      doubleOptIn: false,
      actor: "test",
    });
    const result = await importContacts(app, {
      csv,
      list: "news",
      consentSource: "trade fair sign-up sheet",
      actor: "test",
    });
    expect(result.errors).toEqual([{ line: 7, reason: expect.stringMatching(/email/i) }]);
    expect(result.subscribed).toBe(3);
    const grants = await app.db.consentEvent.count({
      where: { action: "grant", purpose: "newsletter:news" },
    });
    expect(grants).toBe(3);
  });

  it("sends the campaign only to the opted-in, each message with one-click unsubscribe", async () => {
    const app = running.app;
    await createCampaign(app, {
      slug: "november",
      template: "monthly",
      subject: "News for {{name}}",
      lists: ["news"],
      content,
    });
    await scheduleCampaign(app, { slug: "november" });
    await waitForStatus(running, "november", "sent");
    const received = await sink.waitFor(3);
    expect(received.flatMap((m) => m.to).sort()).toEqual([...consenting].sort());

    for (const message of received) {
      const parsed = await simpleParser(message.raw);
      const list = parsed.headers.get("list") as
        { unsubscribe?: { url?: string; mail?: string } } | undefined;
      const header =
        message.raw.toString("latin1").match(/^List-Unsubscribe: (.*(?:\r\n[ \t].*)*)/im)?.[1] ??
        "";
      expect(header).toMatch(new RegExp(`<${base}/u/[a-z2-7]+>`));
      expect(header).toMatch(/<mailto:unsubscribe\+[a-z2-7]+@example\.test\?subject=unsubscribe>/);
      expect(message.raw.toString("latin1")).toMatch(
        /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/im,
      );
      expect(list?.unsubscribe?.url).toMatch(/\/u\/[a-z2-7]+$/);
      // the visible footer link carries the same signed token
      expect(String(parsed.html)).toContain(`${list!.unsubscribe!.url}`);
    }
    const report = await campaignReport(app.db, "november");
    expect(report.counts).toMatchObject({ sent: 3, failed: 0, uncertain: 0, total: 3 });
  });

  it("unsubscribes on a cookie-less one-click POST to the link, and the next campaign skips that person", async () => {
    const app = running.app;
    const ada = sink.messages.find((m) => m.to.includes("ada@example.test"))!;
    const url = (await unsubscribeUrlOf(ada))!;
    const first = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(first.status).toBe(200);
    expect(first.headers.get("set-cookie")).toBeNull();
    const again = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(again.status).toBe(200);
    const withdrawals = await app.db.consentEvent.count({
      where: { action: "withdraw", purpose: "newsletter:news" },
    });
    expect(withdrawals).toBe(1);

    sink.clear();
    await createCampaign(app, {
      slug: "december",
      template: "monthly",
      subject: "December",
      lists: ["news"],
      content,
    });
    await scheduleCampaign(app, { slug: "december" });
    await waitForStatus(running, "december", "sent");
    await sink.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages.flatMap((m) => m.to).sort()).toEqual([
      "grace@example.test",
      "linus@example.test",
    ]);
  });

  it("left a consent or audit record for every step, with no address in the audit log", async () => {
    const audit = await running.app.db.auditEntry.findMany({
      select: { action: true, subjectId: true, detail: true },
    });
    const actions = new Set(audit.map((a) => a.action));
    for (const expected of [
      "list.created",
      "contacts.imported",
      "campaign.created",
      "campaign.scheduled",
      "campaign.sent",
    ]) {
      expect(actions, `audit action ${expected}`).toContain(expected);
    }
    expect(
      [...actions].some(
        (a) => a.startsWith("subscription.unsubscribed") || a.startsWith("unsubscribe"),
      ),
    ).toBe(true);
    expect(JSON.stringify(audit)).not.toMatch(/@example\.test/);
  });
});

async function unsubscribeUrlOf(message: ReceivedMessage): Promise<string | undefined> {
  const parsed = await simpleParser(message.raw);
  const list = parsed.headers.get("list") as { unsubscribe?: { url?: string } } | undefined;
  return list?.unsubscribe?.url;
}
