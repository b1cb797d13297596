// End to end through a real MTA: a campaign goes out through Postfix to three
// local recipients, one of whom does not exist. Dovecot's LMTP refuses that
// one, Postfix itself writes the RFC 3464 DSN to the VERP envelope sender, it
// lands in the watched mailbox, and the inbox.watch job (run by the worker,
// as in production) suppresses the address and marks the delivery bounced. A
// reply sent through Postfix with In-Reply-To becomes a dialogue record on the
// right contact and campaign; a mailed unsubscribe to the message's own
// mailto (unsubscribe+TOKEN@) unsubscribes.
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config/load-config.ts";
import { hashAddress } from "../../src/consent/address-hash.ts";
import { start, type Running } from "../../src/main.ts";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { startPostfix, type Postfix } from "../support/postfix.ts";
import { newCampaign } from "./campaign-fixture.ts";
import { waitUntil } from "./inbox-fixture.ts";

const signingKey = "k1:" + Buffer.alloc(32, 5).toString("base64");
const suppressionKey = "test-suppression-key-0123456789abcdef";

let database: TestDatabase;
let dovecot: Dovecot;
let postfix: Postfix;
let running: Running;
let config: Config;
const passwords: Record<string, string> = {};

beforeAll(async () => {
  [database, dovecot] = await Promise.all([createTestDatabase(), startDovecot({ lmtp: true })]);
  for (const user of ["news", "unsubscribe", "anna", "bert"])
    passwords[user] = (await dovecot.addUser(`${user}@test.local`)).password;
  postfix = await startPostfix({ lmtpSocket: dovecot.lmtpSocket });
  const imapUrl = (user: string) =>
    `imap://${encodeURIComponent(`${user}@test.local`)}@127.0.0.1:${dovecot.port}/INBOX`;
  config = loadConfig(
    {
      DATABASE_URL: database.url,
      SIGNING_KEYS: signingKey,
      SUPPRESSION_KEY: suppressionKey,
      ADMIN_TOKEN: "admin-token-0123456789abcdef",
      SMTP_URL: `smtp://127.0.0.1:${postfix.port}`,
      SMTP_POOL_SIZE: "2",
      MAIL_FROM: "Example News <news@test.local>",
      BOUNCE_ADDRESS: "news@test.local",
      BOUNCE_VERP: "true",
      UNSUBSCRIBE_ADDRESS: "unsubscribe@test.local",
      POSTAL_ADDRESS: "Example Ltd, 1 Main Street, 1000 Town",
      PUBLIC_BASE_URL: "https://news.test.local",
      JOB_LOCK_LIFETIME_SECONDS: "4",
      INBOX_MAILBOXES: "news,unsubscribe",
      INBOX_NEWS_ROLE: "bounce",
      INBOX_NEWS_URL: imapUrl("news"),
      INBOX_NEWS_PASSWORD: passwords.news!,
      INBOX_UNSUBSCRIBE_URL: imapUrl("unsubscribe"),
      INBOX_UNSUBSCRIBE_PASSWORD: passwords.unsubscribe!,
      INBOX_POLL_SECONDS: "1",
      PORT: "0",
      LOG_LEVEL: "warn",
    },
    () => {},
  );
  running = await start({ purpose: "test", config });
}, 120_000);

afterAll(async () => {
  await running?.stop();
  await postfix?.stop();
  await Promise.all([database?.drop(), dovecot?.stop()]);
});

async function fetchInbox(user: string): Promise<Buffer[]> {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port: dovecot.port,
    secure: false,
    auth: { user: `${user}@test.local`, pass: passwords[user]! },
    logger: false,
  });
  await client.connect();
  try {
    const box = await client.mailboxOpen("INBOX");
    if (box.exists === 0) return [];
    return (await client.fetchAll("1:*", { source: true })).map((m) => m.source!);
  } finally {
    await client.logout();
  }
}

it("a campaign through Postfix: DSN suppresses and bounces, a reply is recorded, a mailed unsubscribe unsubscribes", async () => {
  const db = running.app.db;
  const list = await db.list.create({ data: { slug: "news", name: "News", doubleOptIn: false } });
  const ids: Record<string, number> = {};
  for (const name of ["anna", "bert", "nobody"]) {
    const c = await db.contact.create({ data: { email: `${name}@test.local`, name } });
    ids[name] = c.id;
    await db.subscription.create({
      data: { contactId: c.id, listId: list.id, status: "subscribed", confirmedAt: new Date() },
    });
  }
  const campaignId = await newCampaign(running.app, "e2e", { subject: "News for {{name}}" });
  await scheduleCampaign({ ...running.app, actor: "test" }, { slug: "e2e" });
  await waitUntil(
    "the campaign to be sent",
    async () => {
      const c = await db.campaign.findUnique({ where: { id: campaignId } });
      return c?.status === "sent" ? true : undefined;
    },
    60_000,
  );
  // Postfix accepted all three; LMTP refused nobody@, and Postfix's DSN comes back to news+TOKEN@
  const nobody = await waitUntil(
    "the DSN to be recorded: nobody's delivery bounced",
    async () => {
      const d = await db.delivery.findFirst({ where: { contactId: ids.nobody! } });
      return d?.status === "bounced" ? d : undefined;
    },
    30_000,
  );
  expect(nobody.response).toMatch(/5\.1\.1/);
  expect(
    await db.suppression.findUnique({
      where: { addressHash: hashAddress(suppressionKey, "nobody@test.local") },
    }),
  ).toMatchObject({ reason: "hard_bounce" });
  const others = await db.delivery.findMany({
    where: { contactId: { in: [ids.anna!, ids.bert!] } },
  });
  expect(others.map((d) => d.status)).toEqual(["sent", "sent"]);
  const dsn = await db.inboundMessage.findFirstOrThrow({ where: { kind: "bounce" } });
  expect(dsn).toMatchObject({ mailbox: "news", deliveryId: nobody.id, outcome: "suppressed" });

  // anna replies from her mail client, through Postfix, to the campaign's From
  const [annaCopy] = await fetchInbox("anna");
  const annaMessageId = /^Message-ID:\s*<([^>]+)>/im.exec(annaCopy!.toString("latin1"))![1]!;
  const bertCopy = (await fetchInbox("bert"))[0]!.toString("latin1");
  const mailto = /<mailto:([^>?]+)/i.exec(bertCopy)![1]!;
  expect(mailto).toMatch(/^unsubscribe\+[a-z2-7]+@test\.local$/);
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: postfix.port,
    secure: false,
    ignoreTLS: true,
  });
  await transport.sendMail({
    from: "Anna <anna@test.local>",
    to: "news@test.local",
    subject: "Re: News for anna",
    inReplyTo: `<${annaMessageId}>`,
    references: [`<${annaMessageId}>`],
    text: "Yes please, send me the price list.\n\nOn Tue, Example News wrote:\n> News for anna\n",
  });
  // bert uses the List-Unsubscribe mailto of the copy he received
  await transport.sendMail({
    from: "Bert <bert@test.local>",
    to: mailto,
    subject: "unsubscribe",
    text: "unsubscribe",
  });
  transport.close();

  const reply = await waitUntil("anna's reply as a dialogue record", () =>
    db.dialogueRecord.findFirst({ where: { kind: "reply" } }).then((r) => r ?? undefined),
  );
  expect(reply).toMatchObject({
    contactId: ids.anna,
    campaignId,
    direction: "in",
    mailbox: "news",
    threadId: annaMessageId,
  });
  expect(reply.body).toContain("price list");
  expect(reply.body).not.toContain("> News for anna");
  await waitUntil("bert unsubscribed", async () => {
    const s = await db.subscription.findFirst({ where: { contactId: ids.bert! } });
    return s?.status === "unsubscribed" ? true : undefined;
  });
  expect(
    await db.consentEvent.count({ where: { contactId: ids.bert!, source: "mailto" } }),
  ).toBeGreaterThan(0);
  // no dialogue record for the bounce or the unsubscribe; anna's last contact is set
  expect(await db.dialogueRecord.count()).toBe(1);
  expect(
    (await db.contact.findUniqueOrThrow({ where: { id: ids.anna! } })).lastContactAt,
  ).not.toBeNull();

  // the worker reports its watchers up on /health and the admin API
  const health = await fetch(`${running.url}/health`).then(
    (r) => r.json() as Promise<{ inbox: { ok: boolean } }>,
  );
  expect(health.inbox.ok).toBe(true);
  const status = await fetch(`${running.url}/api/inbox/status`, {
    headers: { authorization: "Bearer admin-token-0123456789abcdef" },
  }).then((r) => r.json() as Promise<{ mailboxes: Array<{ mailbox: string; up: boolean }> }>);
  expect(status.mailboxes.map((m) => [m.mailbox, m.up])).toEqual([
    ["news", true],
    ["unsubscribe", true],
  ]);
  const log = await postfix.log();
  expect(log).not.toMatch(/ fatal: /);
}, 120_000);
