// The inbox on the embedded default: a file-backed PGlite behind its one-connection
// pool (no DATABASE_URL), a real Dovecot. A batch's statements run in one transaction
// on the worker's plain-SQL path there too: a reply becomes a dialogue record on its
// contact and campaign, a hard bounce suppresses the address and marks the delivery
// bounced, and a restart records nothing twice.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config/load-config.ts";
import { openApp, type App } from "../../src/main.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { appendAll, dsnMessage, replyMessage, runWatcher, waitUntil } from "./inbox-fixture.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ms-inbox-embedded-"));
let dovecot: Dovecot;
let app: App;
let config: Config;
let imap: { host: string; port: number; user: string; password: string };

beforeAll(async () => {
  dovecot = await startDovecot();
  const user = `embedded-${crypto.randomBytes(3).toString("hex")}@test.local`;
  const { password } = await dovecot.addUser(user);
  imap = { host: "127.0.0.1", port: dovecot.port, user, password };
  config = loadConfig(
    {
      DATA_DIR: path.join(dir, ".data"),
      OUTBOX_DIR: path.join(dir, "outbox"),
      SIGNING_KEYS: "k1:" + Buffer.alloc(32, 5).toString("base64"),
      SUPPRESSION_KEY: "test-suppression-key-0123456789abcdef",
      MAIL_FROM: "Example News <news@example.test>",
      JOB_LOCK_LIFETIME_SECONDS: "3",
      INBOX_MAILBOXES: "bounces",
      INBOX_BOUNCES_URL: `imap://${encodeURIComponent(user)}@127.0.0.1:${dovecot.port}/INBOX`,
      INBOX_BOUNCES_PASSWORD: password,
      INBOX_POLL_SECONDS: "1",
      INBOX_BATCH_SIZE: "2",
      LOG_LEVEL: "warn",
    },
    () => {},
  );
  app = await openApp({ purpose: "test", config });
  expect(app.database.embedded).toBe(true);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await dovecot?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the inbox on embedded PGlite", () => {
  it("records replies and bounces in the batch's transaction, and nothing twice", async () => {
    const campaign = await app.db.campaign.create({
      data: { slug: "dec", template: "monthly", subject: "December news", status: "sent" },
    });
    const [ann, ben] = await Promise.all(
      ["ann", "ben"].map((name) =>
        app.db.contact.create({ data: { email: `${name}@example.test`, name } }),
      ),
    );
    const sentTo = async (contactId: number) =>
      app.db.delivery.create({
        data: {
          campaignId: campaign.id,
          contactId,
          messageId: `c${campaign.id}.r${contactId}@example.test`,
          status: "sent",
          sentAt: new Date(),
        },
      });
    const [toAnn, toBen] = [await sentTo(ann!.id), await sentTo(ben!.id)];
    await appendAll(imap, "INBOX", [
      replyMessage({
        from: "Ann <ann@example.test>",
        to: "news@example.test",
        messageId: "ann-1@example.net",
        inReplyTo: toAnn.messageId,
      }),
      dsnMessage({
        to: "news@example.test",
        recipient: "ben@example.test",
        status: "5.1.1",
        diagnostic: "550 5.1.1 User unknown",
        originalMessageId: toBen.messageId,
        messageId: "dsn-1@mx.example.test",
      }),
      replyMessage({
        from: "Stranger <stranger@example.net>",
        to: "news@example.test",
        messageId: "stranger-1@example.net",
      }),
    ]);
    const recorded = () => app.db.inboundMessage.count({ where: { mailbox: "bounces" } });
    let watcher = runWatcher({ db: app.db, sql: app.sql, config }, "bounces");
    try {
      await waitUntil("three messages", async () => ((await recorded()) === 3 ? true : undefined));
    } finally {
      await watcher.stop();
    }
    const reply = await app.db.dialogueRecord.findFirstOrThrow({
      where: { messageId: "ann-1@example.net" },
    });
    expect(reply).toMatchObject({ contactId: ann!.id, campaignId: campaign.id });
    expect(
      (await app.db.contact.findUniqueOrThrow({ where: { id: ann!.id } })).lastContactAt,
    ).not.toBeNull();
    expect(await app.db.delivery.findUniqueOrThrow({ where: { id: toBen.id } })).toMatchObject({
      status: "bounced",
    });
    expect(await app.db.suppression.count()).toBe(1);
    const checkpoint = await app.db.inboxCheckpoint.findUniqueOrThrow({
      where: { mailbox: "bounces" },
    });
    expect(Number(checkpoint.lastUid)).toBe(3);

    // a rescan from UID 0 (as after a UIDVALIDITY change) finds every message recorded
    await app.db.inboxCheckpoint.update({ where: { mailbox: "bounces" }, data: { lastUid: 0 } });
    watcher = runWatcher({ db: app.db, sql: app.sql, config }, "bounces");
    try {
      await waitUntil("the rescan", async () => {
        const c = await app.db.inboxCheckpoint.findUniqueOrThrow({ where: { mailbox: "bounces" } });
        return Number(c.lastUid) === 3 ? true : undefined;
      });
    } finally {
      await watcher.stop();
    }
    expect(await recorded()).toBe(3);
    expect(await app.db.dialogueRecord.count()).toBe(2);
    expect(await app.db.bounceEvent.count()).toBe(1);
  });
});
