// The console's inbox pages in Chromium against the real server on real PostgreSQL: a marketing
// operator filters the dialogue records, opens a thread, filters bounces and complaints, sees a
// watched mailbox's state and a held unsubscribe request; an IT operator gets 403 and no link.
// axe-core on each page; screenshots in test-output/screenshots/.
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
const stamp = Date.now().toString(36);
const ann = `ann.${stamp}@example.test`;
const bob = `bob.${stamp}@example.test`;
const thread = `<news-1.${stamp}@example.test>`;
let replyId = 0;
let annId = 0;

beforeAll(async () => {
  c = await startConsole({
    env: {
      INBOX_MAILBOXES: "bounces",
      INBOX_BOUNCES_URL: "imap://bounces%40test.local@127.0.0.1:9/INBOX",
      INBOX_BOUNCES_PASSWORD: "not-used-no-watcher-runs",
    },
  });
  await seed();
}, 180_000);

afterAll(async () => {
  await c?.close();
});

async function seed(): Promise<void> {
  const db = c.db;
  const [a, b] = [
    await db.contact.create({ data: { email: ann, name: "Ann" } }),
    await db.contact.create({ data: { email: bob, name: "Bob" } }),
  ];
  const list = await db.list.create({ data: { slug: `news-${stamp}`, name: "News" } });
  await db.subscription.create({
    data: { contactId: a.id, listId: list.id, status: "subscribed", confirmedAt: new Date() },
  });
  annId = a.id;
  const campaign = await db.campaign.create({
    data: { slug: `november-${stamp}`, template: "monthly", subject: "News for November" },
  });
  await db.campaign.create({
    data: { slug: `october-${stamp}`, template: "monthly", subject: "October" },
  });
  const delivery = (contactId: number) =>
    db.delivery.create({
      data: {
        campaignId: campaign.id,
        contactId,
        messageId: `<d${contactId}.${stamp}@example.test>`,
        status: "sent",
      },
    });
  const [da, dbb] = [await delivery(a.id), await delivery(b.id)];
  const at = (day: number) => new Date(Date.UTC(2026, 10, day, 10));
  const reply = await db.dialogueRecord.create({
    data: {
      contactId: a.id,
      campaignId: campaign.id,
      kind: "reply",
      direction: "in",
      mailbox: "sales",
      subject: "Re: News for November",
      body: "Thanks, please call me about the offer.",
      removed: "> the quoted newsletter",
      fromAddress: ann,
      toAddresses: ["sales@example.test"],
      threadId: thread,
      receivedAt: at(20),
    },
  });
  replyId = reply.id;
  await db.dialogueRecord.create({
    data: {
      contactId: a.id,
      kind: "reply",
      direction: "out",
      mailbox: "sales:sent",
      subject: "Re: Re: News for November",
      body: "I will call you tomorrow.",
      threadId: thread,
      receivedAt: at(21),
    },
  });
  await db.dialogueRecord.create({
    data: {
      contactId: b.id,
      kind: "auto_reply",
      mailbox: "sales",
      subject: "Out of office",
      receivedAt: at(22),
    },
  });
  await db.dialogueRecord.create({
    data: {
      contactId: b.id,
      kind: "reply",
      mailbox: "sales",
      subject: "My card number",
      body: "It is [redacted card number]",
      flagged: true,
      receivedAt: at(23),
    },
  });
  let uid = 0n;
  const inbound = (kind: "bounce" | "complaint" | "unsubscribe", data: object) =>
    db.inboundMessage.create({
      data: {
        mailbox: "bounces",
        dedupeKey: `sha256:${stamp}-${++uid}`,
        uidValidity: 1n,
        uid,
        kind,
        outcome: "recorded",
        ...data,
      },
    });
  const dsn = await inbound("bounce", { receivedAt: at(24) });
  await db.bounceEvent.createMany({
    data: [
      {
        addressHash: "h1",
        verdict: "hard",
        status: "5.1.1",
        action: "failed",
        deliveryId: da.id,
        inboundMessageId: dsn.id,
        occurredAt: at(24),
      },
      {
        addressHash: "h2",
        verdict: "soft",
        status: "4.2.2",
        action: "failed",
        deliveryId: dbb.id,
        inboundMessageId: dsn.id,
        occurredAt: at(25),
      },
    ],
  });
  await inbound("complaint", {
    outcome: "unsubscribed",
    deliveryId: dbb.id,
    contactId: b.id,
    detail: { feedbackType: "abuse" },
    receivedAt: at(26),
  });
  await inbound("unsubscribe", {
    outcome: "held",
    held: true,
    contactId: a.id,
    receivedAt: at(27),
  });
  await db.inboxCheckpoint.create({
    data: {
      mailbox: "bounces",
      uidValidity: 1n,
      lastUid: 42n,
      serverUid: 50n,
      lastError: "connection refused by 127.0.0.1:9",
      lastErrorAt: at(28),
    },
  });
}

async function rows(page: Page): Promise<string[]> {
  return page.locator("main table tbody tr").allInnerTexts();
}

describe("the inbox in the console", () => {
  it("lets a marketing operator filter dialogue records and read a thread", async () => {
    const op = await createOperator(c.db, "marketing");
    const page = await c.newPage();
    await signIn(page, c.url, op.email, op.password);
    await page.getByRole("link", { name: "Inbox", exact: true }).click();
    await page.waitForURL(/\/admin\/inbox$/);
    expect(await rows(page)).toHaveLength(4);
    await checkAxe(page);
    await screenshot(page, "inbox-dialogues");

    // flagged replies only
    await page.getByLabel("Kind").selectOption("reply");
    await page.getByLabel("Only flagged as sensitive").check();
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/flagged=1/);
    const flagged = await rows(page);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toContain("My card number");
    expect(flagged[0]).toContain("sensitive, redacted");

    // Ann's received mail in November, by the address and the direction
    await page.goto(`${c.url}/admin/inbox`);
    await page.getByLabel("Contact address contains").fill(`ann.${stamp}`);
    await page.getByLabel("Direction").selectOption("in");
    await page.getByLabel("From", { exact: true }).fill("2026-11-01");
    await page.getByLabel("To", { exact: true }).fill("2026-11-30");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/direction=in/);
    const anns = await rows(page);
    expect(anns).toHaveLength(1);
    expect(anns[0]).toContain("Re: News for November");

    await page.getByRole("link", { name: "Re: News for November" }).click();
    await page.waitForURL(new RegExp(`/admin/inbox/dialogues/${replyId}$`));
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Re: News for November");
    expect(await page.locator("main").innerText()).toContain(
      "Thanks, please call me about the offer.",
    );
    const items = await page.locator("ol.thread li").allInnerTexts();
    expect(items).toHaveLength(2);
    expect(items[1]).toContain("Re: Re: News for November");
    await page.getByText("What trimming cut").click();
    expect(await page.getByText("> the quoted newsletter").isVisible()).toBe(true);
    await checkAxe(page);
    await screenshot(page, "inbox-thread");

    expect(pageErrorsOf(page)).toEqual([]);

    // a bad filter is said, not a bare error page
    const bad = await page.goto(`${c.url}/admin/inbox?kind=spam`);
    expect(bad?.status()).toBe(400);
    expect(await page.getByRole("alert").innerText()).toContain("kind");
  }, 180_000);

  it("shows bounces and complaints by verdict and campaign, the watched mailbox and held requests", async () => {
    const op = await createOperator(c.db, "privacy");
    const page = await c.newPage();
    await signIn(page, c.url, op.email, op.password);
    await page.goto(`${c.url}/admin/inbox`);
    await page.getByRole("link", { name: "Bounces and complaints" }).click();
    await page.waitForURL(/\/admin\/inbox\/bounces$/);
    expect(await rows(page)).toHaveLength(3);
    await checkAxe(page);
    await screenshot(page, "inbox-bounces");

    await page.getByLabel("Verdict (bounces)").selectOption("hard");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/verdict=hard/);
    const hard = await rows(page);
    expect(hard).toHaveLength(1);
    expect(hard[0]).toContain(ann);
    expect(hard[0]).toContain("5.1.1");

    await page.goto(`${c.url}/admin/inbox/bounces`);
    await page.getByLabel("Type").selectOption("complaint");
    await page.getByLabel("Campaign").selectOption(`november-${stamp}`);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/type=complaint/);
    const complaints = await rows(page);
    expect(complaints).toHaveLength(1);
    expect(complaints[0]).toContain("complaint (abuse)");
    expect(complaints[0]).toContain(bob);
    await page.goto(`${c.url}/admin/inbox/bounces?campaign=october-${stamp}`);
    expect(await page.getByText("No bounces or complaints match this filter.").isVisible()).toBe(
      true,
    );

    await page.getByRole("link", { name: "Watched mailboxes" }).click();
    await page.waitForURL(/\/admin\/inbox\/mailboxes$/);
    const status = await rows(page);
    expect(status).toHaveLength(1);
    expect(status[0]).toMatch(/bounces\s+bounce, incoming\s+down/);
    expect(status[0]).toContain("42");
    expect(status[0]).toContain("connection refused by 127.0.0.1:9");
    await checkAxe(page);
    await screenshot(page, "inbox-watched-mailboxes");
    // the fragment htmx refreshes is the same table
    const fragment = await page.evaluate(async () =>
      (await fetch("/admin/inbox/mailboxes/status")).text(),
    );
    expect(fragment).toContain('id="mailbox-status"');

    await page.getByRole("link", { name: "Held unsubscribe requests" }).click();
    await page.waitForURL(/\/admin\/inbox\/held$/);
    const held = await rows(page);
    expect(held).toHaveLength(1);
    expect(held[0]).toContain(ann);
    await checkAxe(page);
    await screenshot(page, "inbox-held");
    // confirming after checking with the person: unsubscribed, with the ledger entry, audited
    await page.getByRole("button", { name: "Confirm: unsubscribe" }).click();
    await page.getByText(/the contact is unsubscribed from every list/).waitFor();
    expect(await rows(page)).toEqual([]);
    await page.getByText("No request is waiting.").waitFor();
    const sub = await c.db.subscription.findFirstOrThrow({ where: { contactId: annId } });
    expect(sub.status).toBe("unsubscribed");
    const withdrawal = await c.db.consentEvent.findFirstOrThrow({
      where: { contactId: annId, action: "withdraw" },
    });
    expect(withdrawal.evidence).toMatchObject({ method: "mailto-confirmed" });
    const audit = await c.db.auditEntry.findFirstOrThrow({
      where: { action: "inbox.unsubscribe_confirmed" },
    });
    expect(audit.actor).toMatch(/^operator:\d+$/);
    await checkAxe(page);
    expect(pageErrorsOf(page)).toEqual([]);
  }, 180_000);

  it("answers 403 to an IT operator and shows them no link to it", async () => {
    const op = await createOperator(c.db, "it");
    const page = await c.newPage();
    await signIn(page, c.url, op.email, op.password);
    expect(await page.getByRole("link", { name: "Inbox", exact: true }).count()).toBe(0);
    const denied = await page.goto(`${c.url}/admin/inbox/bounces`);
    expect(denied?.status()).toBe(403);
    expect(await page.locator("main").innerText()).not.toContain(ann);
  }, 120_000);
});
