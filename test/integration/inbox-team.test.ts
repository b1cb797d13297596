// The inbox paths the main watcher test does not take, against a real Dovecot
// and a real PostgreSQL: a team mailbox's inbox and its Sent folder (found by
// SPECIAL-USE) as incoming and outgoing dialogue; a server without IDLE, where
// the watcher polls; soft bounces suppressed only at the configured count
// within the window; and an operator's decision on a held mailed unsubscribe.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openImapInboxSession } from "../../src/adapters/imap-inbox-session.ts";
import { loadConfig, type Config } from "../../src/config/load-config.ts";
import { hashAddress } from "../../src/consent/address-hash.ts";
import { isAppError } from "../../src/errors.ts";
import { decideHeldUnsubscribe } from "../../src/inbox/decide-held-unsubscribe.ts";
import { openApp, type App } from "../../src/main.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import {
  appendAll,
  dsnMessage,
  replyMessage,
  runWatcher,
  unsubscribeMessage,
  waitUntil,
} from "./inbox-fixture.ts";

const suppressionKey = "test-suppression-key-0123456789abcdef";
type Imap = { host: string; port: number; user: string; password: string };

let database: TestDatabase;
let dovecot: Dovecot;
let noIdle: Dovecot;
let app: App;
let config: Config;
let sales: Imap;
let bounces: Imap;
let quiet: Imap;
const contact: Record<string, number> = {};

async function account(server: Dovecot, name: string): Promise<Imap> {
  const user = `${name}-${crypto.randomBytes(3).toString("hex")}@test.local`;
  const { password } = await server.addUser(user);
  return { host: "127.0.0.1", port: server.port, user, password };
}

const url = (a: Imap, folder = "INBOX") =>
  `imap://${encodeURIComponent(a.user)}@127.0.0.1:${a.port}/${folder}`;

beforeAll(async () => {
  [database, dovecot, noIdle] = await Promise.all([
    createTestDatabase(),
    startDovecot({ mailFsync: "never" }),
    // Dovecot's post-login capability list without IDLE (RFC 2177)
    startDovecot({
      mailFsync: "never",
      imapCapability:
        "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT NAMESPACE CHILDREN LIST-EXTENDED LIST-STATUS MOVE SPECIAL-USE CONDSTORE UIDPLUS LITERAL+",
    }),
  ]);
  [sales, bounces, quiet] = await Promise.all([
    account(dovecot, "sales"),
    account(dovecot, "bounces"),
    account(noIdle, "quiet"),
  ]);
  config = loadConfig(
    {
      DATABASE_URL: database.url,
      SIGNING_KEYS: "k1:" + Buffer.alloc(32, 5).toString("base64"),
      SUPPRESSION_KEY: suppressionKey,
      MAIL_FROM: "Example News <news@example.test>",
      UNSUBSCRIBE_ADDRESS: "unsubscribe@example.test",
      BOUNCE_ADDRESS: "bounces@example.test",
      JOB_LOCK_LIFETIME_SECONDS: "3",
      INBOX_MAILBOXES: "sales,bounces,quiet",
      INBOX_SALES_ROLE: "team",
      INBOX_SALES_URL: url(sales),
      INBOX_SALES_PASSWORD: sales.password,
      INBOX_BOUNCES_URL: url(bounces),
      INBOX_BOUNCES_PASSWORD: bounces.password,
      INBOX_QUIET_ROLE: "team",
      INBOX_QUIET_URL: url(quiet),
      INBOX_QUIET_PASSWORD: quiet.password,
      INBOX_POLL_SECONDS: "1",
      SOFT_BOUNCE_LIMIT: "3",
      SOFT_BOUNCE_WINDOW_DAYS: "30",
      LOG_LEVEL: "warn",
    },
    () => {},
  );
  app = await openApp({ purpose: "test", config });
  const list = await app.db.list.create({
    data: { slug: "news", name: "News", doubleOptIn: false },
  });
  for (const p of ["hanna", "ivar", "jonas", "kari", "lars"]) {
    const c = await app.db.contact.create({ data: { email: `${p}@example.test`, name: p } });
    contact[p] = c.id;
    await app.db.subscription.create({
      data: { contactId: c.id, listId: list.id, status: "subscribed", confirmedAt: new Date() },
    });
  }
}, 120_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([database?.drop(), dovecot?.stop(), noIdle?.stop()]);
});

const inboundOf = (mailbox: string) =>
  app.db.inboundMessage.findMany({ where: { mailbox }, orderBy: { uid: "asc" } });

describe("a team mailbox", () => {
  it("records its inbox as incoming and its Sent folder as outgoing dialogue", async () => {
    const sent = (to: string, id: string, inReplyTo?: string) =>
      Buffer.from(
        [
          "From: Sales Team <sales@example.test>",
          `To: ${to}`,
          "Subject: Your quote",
          `Date: ${new Date().toUTCString()}`,
          `Message-ID: <${id}>`,
          ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`] : []),
          "Content-Type: text/plain; charset=utf-8",
          "",
          "Here is the quote we talked about.",
          "",
        ].join("\r\n"),
      );
    await appendAll(sales, "INBOX", [
      replyMessage({
        from: "Hanna <hanna@example.test>",
        to: "sales@example.test",
        messageId: "hanna-asks@mail.example.test",
        subject: "Question about the offer",
      }),
    ]);
    // Sent is not named in the config: the watcher finds it by its \Sent attribute
    await appendAll(sales, "Sent", [
      sent(
        "Hanna <hanna@example.test>",
        "sales-answers@example.test",
        "hanna-asks@mail.example.test",
      ),
      sent("Someone <stranger@example.net>", "sales-cold@example.test"),
    ]);
    const watchers = [
      runWatcher({ db: app.db, sql: app.sql, config }, "sales"),
      runWatcher({ db: app.db, sql: app.sql, config }, "sales:sent"),
    ];
    try {
      await waitUntil("the inbox and the Sent folder recorded", async () =>
        (await app.db.inboundMessage.count({ where: { mailbox: { startsWith: "sales" } } })) === 3
          ? true
          : undefined,
      );
    } finally {
      await Promise.all(watchers.map((w) => w.stop()));
    }
    const incoming = await app.db.dialogueRecord.findFirstOrThrow({
      where: { messageId: "hanna-asks@mail.example.test" },
    });
    expect(incoming).toMatchObject({
      direction: "in",
      kind: "reply",
      contactId: contact.hanna,
      mailbox: "sales",
    });
    const outgoing = await app.db.dialogueRecord.findFirstOrThrow({
      where: { messageId: "sales-answers@example.test" },
    });
    expect(outgoing).toMatchObject({
      direction: "out",
      contactId: contact.hanna,
      mailbox: "sales:sent",
      // threaded onto the question it answers
      threadId: incoming.threadId,
    });
    expect(outgoing.body).toContain("Here is the quote");
    // mail to someone who is not a contact is not a dialogue with a contact
    const [, cold] = await inboundOf("sales:sent");
    expect(cold).toMatchObject({ kind: "outgoing", outcome: "ignored" });
    expect(await app.db.contact.count({ where: { email: "stranger@example.net" } })).toBe(0);
    // the employee's answer is contact with the person too: the retention clock restarts
    const hanna = await app.db.contact.findUniqueOrThrow({ where: { id: contact.hanna! } });
    expect(hanna.lastContactAt).not.toBeNull();
  });
});

describe("a server without IDLE", () => {
  it("is polled: mail that arrives while the watcher waits is recorded", async () => {
    const session = await openImapInboxSession(
      config.inbox.mailboxes.find((m) => m.key === "quiet")!,
    );
    expect(session.idle).toBe(false);
    await session.close();
    const watcher = runWatcher({ db: app.db, sql: app.sql, config }, "quiet");
    try {
      await appendAll(quiet, "INBOX", [
        replyMessage({
          from: "Ivar <ivar@example.test>",
          to: "quiet@example.test",
          messageId: "ivar-1@mail.example.test",
        }),
      ]);
      await waitUntil("the first message", async () =>
        (await inboundOf("quiet")).length === 1 ? true : undefined,
      );
      // the watcher has caught up and waits; without IDLE only a poll can see this one
      await new Promise((r) => setTimeout(r, 1500));
      await appendAll(quiet, "INBOX", [
        replyMessage({
          from: "Ivar <ivar@example.test>",
          to: "quiet@example.test",
          messageId: "ivar-2@mail.example.test",
        }),
      ]);
      await waitUntil(
        "the message that arrived while polling",
        async () => ((await inboundOf("quiet")).length === 2 ? true : undefined),
        10_000,
      );
    } finally {
      await watcher.stop();
    }
  });
});

describe("soft bounces", () => {
  const soft = (n: number) =>
    dsnMessage({
      to: "bounces@example.test",
      recipient: "jonas@example.test",
      status: "5.2.2",
      diagnostic: "552 5.2.2 <jonas@example.test>: mailbox full",
      messageId: `soft-${n}@mx.example.test`,
    });
  const suppressed = () =>
    app.db.suppression.findUnique({
      where: { addressHash: hashAddress(suppressionKey, "jonas@example.test") },
    });

  it("suppress an address only at the configured count within the window", async () => {
    // one soft bounce older than the window does not count
    const old = new Date(Date.now() - 40 * 86_400_000);
    const earlier = await app.db.inboundMessage.create({
      data: {
        mailbox: "bounces-archive",
        dedupeKey: "soft-0",
        uidValidity: 1n,
        uid: 1n,
        kind: "bounce",
        outcome: "bounced",
        receivedAt: old,
      },
    });
    await app.db.bounceEvent.create({
      data: {
        inboundMessageId: earlier.id,
        addressHash: hashAddress(suppressionKey, "jonas@example.test"),
        verdict: "soft",
        status: "5.2.2",
        action: "failed",
        occurredAt: old,
      },
    });
    await appendAll(bounces, "INBOX", [soft(1), soft(2)]);
    let watcher = runWatcher({ db: app.db, sql: app.sql, config }, "bounces");
    try {
      await waitUntil("two soft bounces", async () =>
        (await inboundOf("bounces")).length === 2 ? true : undefined,
      );
    } finally {
      await watcher.stop();
    }
    // mailbox full may clear: two within the window (the old one aside) are not yet enough
    expect(await suppressed()).toBeNull();
    const events = await app.db.bounceEvent.findMany({
      where: { addressHash: hashAddress(suppressionKey, "jonas@example.test") },
    });
    expect(events.map((e) => e.verdict)).toEqual(["soft", "soft", "soft"]);

    await appendAll(bounces, "INBOX", [soft(3)]);
    watcher = runWatcher({ db: app.db, sql: app.sql, config }, "bounces");
    try {
      await waitUntil("the third soft bounce", async () =>
        (await inboundOf("bounces")).length === 3 ? true : undefined,
      );
    } finally {
      await watcher.stop();
    }
    expect(await suppressed()).toMatchObject({ reason: "soft_bounce" });
  });
});

describe("a held mailed unsubscribe", () => {
  it("waits for an operator, who confirms it once or dismisses it", async () => {
    await appendAll(bounces, "INBOX", [
      unsubscribeMessage({
        from: "Kari <kari@example.test>",
        to: "unsubscribe@example.test",
        messageId: "kari-unsub@mail.example.test",
      }),
      unsubscribeMessage({
        from: "Lars <lars@example.test>",
        to: "unsubscribe@example.test",
        messageId: "lars-unsub@mail.example.test",
      }),
    ]);
    const watcher = runWatcher({ db: app.db, sql: app.sql, config }, "bounces");
    try {
      await waitUntil("both requests held", async () =>
        (await app.db.inboundMessage.count({ where: { held: true } })) === 2 ? true : undefined,
      );
    } finally {
      await watcher.stop();
    }
    const statusOf = async (p: string) =>
      (await app.db.subscription.findFirstOrThrow({ where: { contactId: contact[p]! } })).status;
    expect([await statusOf("kari"), await statusOf("lars")]).toEqual(["subscribed", "subscribed"]);
    const [kari, lars] = await app.db.inboundMessage.findMany({
      where: { held: true },
      orderBy: { uid: "asc" },
    });
    const deps = { db: app.db, clock: { now: () => new Date() }, actor: "operator:7" };

    // two operators confirm at the same moment: one unsubscribes, the other is told
    const both = await Promise.allSettled([
      decideHeldUnsubscribe(deps, kari!.id, "confirm"),
      decideHeldUnsubscribe(deps, kari!.id, "confirm"),
    ]);
    const done = both.filter((r) => r.status === "fulfilled");
    expect(done).toHaveLength(1);
    expect(done[0]!.value).toMatchObject({ outcome: "unsubscribed", changed: ["news"] });
    const refused = both.find((r) => r.status === "rejected")!.reason as Error;
    expect(isAppError(refused, "conflict")).toBe(true);
    expect(await statusOf("kari")).toBe("unsubscribed");
    expect(
      await app.db.consentEvent.count({ where: { contactId: contact.kari!, action: "withdraw" } }),
    ).toBe(2); // the list and newsletter:*
    expect(
      await app.db.auditEntry.count({
        where: { action: "inbox.unsubscribe_confirmed", actor: "operator:7" },
      }),
    ).toBe(1);

    // dismissed: nothing changes, and it can no longer be confirmed
    await decideHeldUnsubscribe(deps, lars!.id, "dismiss");
    expect(await statusOf("lars")).toBe("subscribed");
    await expect(decideHeldUnsubscribe(deps, lars!.id, "confirm")).rejects.toThrow(
      /not waiting for a decision \(its outcome is "dismissed"\)/,
    );
    await expect(decideHeldUnsubscribe(deps, 999_999, "confirm")).rejects.toThrow(
      /no mailed unsubscribe request 999999/,
    );
  });
});
