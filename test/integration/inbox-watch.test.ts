// The inbox watcher against a real Dovecot and a real PostgreSQL: what each
// kind of message records, the checkpoint, restarts, UIDVALIDITY rescans.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config/load-config.ts";
import { hashAddress } from "../../src/consent/address-hash.ts";
import { openApp, type App } from "../../src/main.ts";
import { envelopeSender } from "../../src/newsletters/bounce-token.ts";
import { inboxStatus } from "../../src/inbox/inbox-status.ts";
import { showDialogue } from "../../src/inbox/show-dialogue.ts";
import { signToken } from "../../src/unsubscribe/tokens.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import {
  appendAll,
  arfMessage,
  autoReplyMessage,
  dsnMessage,
  flagsOf,
  malformedMessages,
  replyMessage,
  runWatcher,
  unsubscribeMessage,
  waitUntil,
} from "./inbox-fixture.ts";

const signingKey = "k1:" + Buffer.alloc(32, 9).toString("base64");
const suppressionKey = "test-suppression-key-0123456789abcdef";
const people = ["alice", "bob", "carol", "dave", "erin", "frank", "gina"] as const;

let database: TestDatabase;
let dovecot: Dovecot;
let app: App;
let config: Config;
let imap: { host: string; port: number; user: string; password: string };
const contact: Record<string, number> = {};
const delivery: Record<string, { id: number; messageId: string }> = {};
let campaignId = 0;

beforeAll(async () => {
  [database, dovecot] = await Promise.all([createTestDatabase(), startDovecot()]);
  const user = `bounces-${crypto.randomBytes(3).toString("hex")}@test.local`;
  const { password } = await dovecot.addUser(user);
  imap = { host: "127.0.0.1", port: dovecot.port, user, password };
  config = loadConfig(
    {
      DATABASE_URL: database.url,
      SIGNING_KEYS: signingKey,
      SUPPRESSION_KEY: suppressionKey,
      MAIL_FROM: "Example News <news@example.test>",
      UNSUBSCRIBE_ADDRESS: "unsubscribe@example.test",
      BOUNCE_ADDRESS: "bounces@example.test",
      BOUNCE_VERP: "true",
      JOB_LOCK_LIFETIME_SECONDS: "3",
      INBOX_MAILBOXES: "bounces",
      INBOX_BOUNCES_URL: `imap://${encodeURIComponent(user)}@127.0.0.1:${dovecot.port}/INBOX`,
      INBOX_BOUNCES_PASSWORD: password,
      INBOX_POLL_SECONDS: "1",
      INBOX_BATCH_SIZE: "3",
      LOG_LEVEL: "warn",
    },
    () => {},
  );
  app = await openApp({ purpose: "test", config });
  const list = await app.db.list.create({
    data: { slug: "news", name: "News", doubleOptIn: false },
  });
  const campaign = await app.db.campaign.create({
    data: { slug: "nov", template: "monthly", subject: "News for you", status: "sent" },
  });
  campaignId = campaign.id;
  for (const p of people) {
    const c = await app.db.contact.create({ data: { email: `${p}@example.test`, name: p } });
    contact[p] = c.id;
    await app.db.subscription.create({
      data: { contactId: c.id, listId: list.id, status: "subscribed", confirmedAt: new Date() },
    });
    const messageId = `c${campaign.id}.r${c.id}.${crypto.randomBytes(6).toString("hex")}@example.test`;
    const d = await app.db.delivery.create({
      data: {
        campaignId: campaign.id,
        contactId: c.id,
        messageId,
        status: "sent",
        sentAt: new Date(),
      },
    });
    delivery[p] = { id: d.id, messageId };
  }
});

afterAll(async () => {
  await app?.close();
  await Promise.all([database?.drop(), dovecot?.stop()]);
});

const counts = async () => ({
  inbound: await app.db.inboundMessage.count(),
  dialogues: await app.db.dialogueRecord.count(),
  bounceEvents: await app.db.bounceEvent.count(),
});

describe("inbox watcher", () => {
  it("records each kind of message once and advances the checkpoint", async () => {
    const verp = envelopeSender(config, { campaignId, contactId: contact.carol! });
    const unsubscribeToken = signToken(config.signingKeys, {
      contactId: contact.dave!,
      list: "news",
      purpose: "unsubscribe",
    });
    const messages = [
      replyMessage({
        from: "Alice <alice@example.test>",
        to: "news@example.test",
        messageId: "reply-1@mail.example.test",
        inReplyTo: delivery.alice!.messageId,
      }),
      dsnMessage({
        to: "bounces@example.test",
        recipient: "bob@example.test",
        status: "5.1.1",
        diagnostic: "550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown",
        originalMessageId: delivery.bob!.messageId,
        messageId: "dsn-1@mx.example.test",
      }),
      // VERP: the DSN quotes none of the original headers; the token in the recipient finds carol's delivery
      dsnMessage({
        to: verp,
        recipient: "carol@example.test",
        status: "5.1.1",
        diagnostic: "550 5.1.1 mailbox unavailable",
        messageId: "dsn-2@mx.example.test",
      }),
      unsubscribeMessage({
        from: "Dave <dave@example.test>",
        to: `unsubscribe+${unsubscribeToken}@example.test`,
        messageId: "unsub-1@mail.example.test",
      }),
      autoReplyMessage({
        from: "Erin <erin@example.test>",
        to: "news@example.test",
        messageId: "ooo-1@mail.example.test",
      }),
      arfMessage({
        to: "bounces@example.test",
        recipient: "frank@example.test",
        originalMessageId: delivery.frank!.messageId,
        messageId: "arf-1@fbl.example.net",
      }),
      replyMessage({
        from: "Gina <gina@example.test>",
        to: "news@example.test",
        messageId: "reply-2@mail.example.test",
        inReplyTo: delivery.gina!.messageId,
        body: "My card is 4111 1111 1111 1111, please call me.",
      }),
      // the bare unsubscribe address from a known contact: held for an operator
      unsubscribeMessage({
        from: "Alice <alice@example.test>",
        to: "unsubscribe@example.test",
        messageId: "unsub-2@mail.example.test",
      }),
      ...malformedMessages(),
    ];
    await appendAll(imap, "INBOX", messages);
    const watcher = runWatcher({ db: app.db, sql: app.sql, config }, "bounces");
    try {
      await waitUntil("all messages recorded", async () =>
        (await app.db.inboundMessage.count()) >= messages.length ? true : undefined,
      );
    } finally {
      await watcher.stop();
    }

    const inbound = await app.db.inboundMessage.findMany({ orderBy: { uid: "asc" } });
    expect(inbound.slice(0, 8).map((m) => m.kind)).toEqual([
      "reply",
      "bounce",
      "bounce",
      "unsubscribe",
      "auto_reply",
      "complaint",
      "reply",
      "unsubscribe",
    ]);
    // a multipart whose boundary never appears: the parser either refuses it (with the
    // reason) or recovers it (with the defect noted); either way it is recorded once
    const broken = inbound[8]!;
    if (broken.kind === "unparseable")
      expect((broken.detail as { reason: string }).reason).toMatch(/boundary/);
    else expect((broken.detail as { defects?: string[] }).defects?.length).toBeGreaterThan(0);
    // a 2 MB header: refused by the parser
    expect(inbound[9]!.kind).toBe("unparseable");
    const checkpoint = await app.db.inboxCheckpoint.findUniqueOrThrow({
      where: { mailbox: "bounces" },
    });
    expect(Number(checkpoint.lastUid)).toBe(messages.length);

    // reply: a dialogue record on the right contact and campaign, trimmed, last contact set
    const aliceReply = await app.db.dialogueRecord.findFirstOrThrow({
      where: { messageId: "reply-1@mail.example.test" },
    });
    expect(aliceReply).toMatchObject({
      kind: "reply",
      direction: "in",
      contactId: contact.alice,
      campaignId,
      deliveryId: delivery.alice!.id,
      threadId: delivery.alice!.messageId,
      flagged: false,
    });
    expect(aliceReply.body).toContain("hear more about the widgets");
    expect(aliceReply.body).not.toContain("> Article 1");
    expect(aliceReply.removed).toContain("Article 1");
    const alice = await app.db.contact.findUniqueOrThrow({ where: { id: contact.alice! } });
    expect(alice.lastContactAt).not.toBeNull();

    // hard bounces: suppressed, deliveries bounced (by Original Message-ID, and by VERP token alone)
    for (const p of ["bob", "carol"]) {
      const d = await app.db.delivery.findUniqueOrThrow({ where: { id: delivery[p]!.id } });
      expect(d.status, p).toBe("bounced");
      expect(
        await app.db.suppression.findUnique({
          where: { addressHash: hashAddress(suppressionKey, `${p}@example.test`) },
        }),
        p,
      ).toMatchObject({ reason: "hard_bounce" });
    }
    // mailed unsubscribe with a token: unsubscribed with a ledger entry, no dialogue record
    const daveSub = await app.db.subscription.findFirstOrThrow({
      where: { contactId: contact.dave! },
    });
    expect(daveSub.status).toBe("unsubscribed");
    expect(
      await app.db.consentEvent.count({
        where: { contactId: contact.dave!, action: "withdraw", source: "mailto" },
      }),
    ).toBe(1);
    // auto-reply: recorded as such, not counted as contact
    const ooo = await app.db.dialogueRecord.findFirstOrThrow({
      where: { messageId: "ooo-1@mail.example.test" },
    });
    expect(ooo.kind).toBe("auto_reply");
    expect(
      (await app.db.contact.findUniqueOrThrow({ where: { id: contact.erin! } })).lastContactAt,
    ).toBeNull();
    // complaint: unsubscribed from everything, suppressed, never a dialogue record
    expect(
      (await app.db.subscription.findFirstOrThrow({ where: { contactId: contact.frank! } })).status,
    ).toBe("unsubscribed");
    expect(
      await app.db.suppression.findUnique({
        where: { addressHash: hashAddress(suppressionKey, "frank@example.test") },
      }),
    ).toMatchObject({ reason: "complaint" });
    // sensitive data: redacted and flagged
    const gina = await app.db.dialogueRecord.findFirstOrThrow({
      where: { messageId: "reply-2@mail.example.test" },
    });
    expect(gina.flagged).toBe(true);
    expect(gina.body).not.toContain("4111 1111 1111 1111");
    // bare unsubscribe@ from a known contact: held, alice still subscribed
    const held = inbound.find((m) => m.messageId === "unsub-2@mail.example.test")!;
    expect(held).toMatchObject({ held: true, outcome: "held", contactId: contact.alice });
    expect(
      (await app.db.subscription.findFirstOrThrow({ where: { contactId: contact.alice! } })).status,
    ).toBe("subscribed");
    // dialogue records only for replies and the auto-reply (a recovered broken one without contact)
    expect(await app.db.dialogueRecord.count()).toBe(broken.kind === "unparseable" ? 3 : 4);
    // unparseable: reason kept; flagged \Flagged in the mailbox, the rest $MailstewardDone
    for (const b of inbound.filter((m) => m.kind === "unparseable"))
      expect((b.detail as { reason: string }).reason.length).toBeGreaterThan(3);
    const flags = await flagsOf(imap, "INBOX");
    for (const m of inbound) {
      const f = flags.get(Number(m.uid))!;
      if (m.kind === "unparseable") expect(f.has("\\Flagged"), `uid ${m.uid}`).toBe(true);
      else expect(f.has("$MailstewardDone"), `uid ${m.uid}`).toBe(true);
    }
    // the thread reads back through showDialogue
    const shown = await showDialogue(app.db, aliceReply.id);
    expect(shown.contactEmail).toBe("alice@example.test");
    expect(shown.campaignSlug).toBe("nov");
    expect(shown.thread.map((t) => t.id)).toContain(aliceReply.id);
  });

  it("a restart records nothing twice and catches up on what arrived meanwhile", async () => {
    const before = await counts();
    await appendAll(imap, "INBOX", [
      replyMessage({
        from: "Alice <alice@example.test>",
        to: "news@example.test",
        messageId: "reply-3@mail.example.test",
        inReplyTo: "reply-1@mail.example.test",
        subject: "Re: Re: News for you",
      }),
    ]);
    const watcher = runWatcher({ db: app.db, sql: app.sql, config }, "bounces");
    try {
      await waitUntil("the new reply", async () =>
        (await app.db.inboundMessage.count()) === before.inbound + 1 ? true : undefined,
      );
      // and one that arrives while the watcher idles (IDLE's EXISTS wakes it)
      await appendAll(imap, "INBOX", [
        replyMessage({
          from: "Bob <bob@example.test>",
          to: "news@example.test",
          messageId: "reply-4@mail.example.test",
        }),
      ]);
      await waitUntil("the reply that arrived while watching", async () =>
        (await app.db.inboundMessage.count()) === before.inbound + 2 ? true : undefined,
      );
      const [status] = await inboxStatus(app);
      expect(status).toMatchObject({ mailbox: "bounces", up: true, lag: 0 });
      expect(status!.messagesToday).toBe(before.inbound + 2);
    } finally {
      await watcher.stop();
    }
    // threaded onto alice's earlier reply: same thread, same campaign
    const third = await app.db.dialogueRecord.findFirstOrThrow({
      where: { messageId: "reply-3@mail.example.test" },
    });
    expect(third).toMatchObject({ threadId: delivery.alice!.messageId, campaignId });
    const after = await counts();
    expect(after.dialogues).toBe(before.dialogues + 2);
    expect(after.bounceEvents).toBe(before.bounceEvents);
    const [down] = await inboxStatus(app);
    expect(down!.up).toBe(false);
  });

  it("a UIDVALIDITY change rescans the folder and records nothing twice", async () => {
    const before = await counts();
    const checkpoint = await app.db.inboxCheckpoint.findUniqueOrThrow({
      where: { mailbox: "bounces" },
    });
    const next = Number(checkpoint.uidValidity) + 1000;
    await dovecot.doveadm([
      "mailbox",
      "update",
      "-u",
      imap.user,
      "--uid-validity",
      String(next),
      "INBOX",
    ]);
    const watcher = runWatcher({ db: app.db, sql: app.sql, config }, "bounces");
    try {
      await waitUntil("the rescan", async () => {
        const c = await app.db.inboxCheckpoint.findUniqueOrThrow({ where: { mailbox: "bounces" } });
        return c.uidValidity === BigInt(next) && Number(c.lastUid) >= before.inbound
          ? true
          : undefined;
      });
    } finally {
      await watcher.stop();
    }
    expect(await counts()).toEqual(before);
  });

  it("with INBOX_CREATE_CONTACTS, an unknown sender of a reply becomes a contact, once", async () => {
    await appendAll(imap, "INBOX", [
      replyMessage({
        from: "New Person <newcomer@example.net>",
        to: "news@example.test",
        messageId: "newcomer-1@example.net",
      }),
      replyMessage({
        from: "New Person <NEWCOMER@example.net>",
        to: "news@example.test",
        messageId: "newcomer-2@example.net",
        inReplyTo: "newcomer-1@example.net",
      }),
      autoReplyMessage({
        from: "Away <away@example.net>",
        to: "news@example.test",
        messageId: "away-1@example.net",
      }),
    ]);
    const creating = { ...config, inbox: { ...config.inbox, createContacts: true } };
    const watcher = runWatcher({ db: app.db, sql: app.sql, config: creating }, "bounces");
    try {
      await waitUntil("the newcomer's replies", async () =>
        (await app.db.dialogueRecord.count({ where: { fromAddress: "newcomer@example.net" } })) ===
        2
          ? true
          : undefined,
      );
    } finally {
      await watcher.stop();
    }
    const created = await app.db.contact.findMany({ where: { email: "newcomer@example.net" } });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: "New Person", source: "inbound-email" });
    const records = await app.db.dialogueRecord.findMany({
      where: { fromAddress: "newcomer@example.net" },
      orderBy: { id: "asc" },
    });
    expect(records.map((r) => r.contactId)).toEqual([created[0]!.id, created[0]!.id]);
    expect(records[1]!.threadId).toBe(records[0]!.threadId);
    // a reply starts the 2-year retention clock of the new contact
    const latest = Math.max(...records.map((r) => r.receivedAt.getTime()));
    expect(created[0]!.lastContactAt?.getTime()).toBe(latest);
    // an auto-reply is not the person getting in touch: no contact for it
    expect(await app.db.contact.count({ where: { email: "away@example.net" } })).toBe(0);
  });
});
