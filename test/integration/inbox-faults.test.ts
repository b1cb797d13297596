// Faults against the real servers: a proxy that cuts the IMAP connection every
// 0.4 s while messages keep arriving, and a mailbox of malformed MIME. Every
// message must be recorded exactly once, and nothing may stall the watcher.
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config/load-config.ts";
import { openApp, type App } from "../../src/main.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { startProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { appendAll, flagsOf, replyMessage, runWatcher, waitUntil } from "./inbox-fixture.ts";

let database: TestDatabase;
let dovecot: Dovecot;
let proxy: TcpProxy;
let app: App;

beforeAll(async () => {
  [database, dovecot] = await Promise.all([createTestDatabase(), startDovecot()]);
  proxy = await startProxy({ targetPort: dovecot.port });
  app = await openApp({ purpose: "test", config: configFor("unused", "unused", 1) });
});

afterAll(async () => {
  await app?.close();
  await proxy?.close();
  await Promise.all([database?.drop(), dovecot?.stop()]);
});

function configFor(
  user: string,
  password: string,
  port: number,
  batch = "40",
  name = "replies",
): Config {
  return loadConfig(
    {
      DATABASE_URL: database.url,
      SIGNING_KEYS: "k1:" + Buffer.alloc(32, 4).toString("base64"),
      SUPPRESSION_KEY: "test-suppression-key-0123456789abcdef",
      MAIL_FROM: "Example News <news@example.test>",
      JOB_LOCK_LIFETIME_SECONDS: "3",
      INBOX_MAILBOXES: name,
      [`INBOX_${name.toUpperCase()}_ROLE`]: "team",
      [`INBOX_${name.toUpperCase()}_URL`]: `imap://${encodeURIComponent(user)}@127.0.0.1:${port}/INBOX`,
      [`INBOX_${name.toUpperCase()}_PASSWORD`]: password,
      INBOX_POLL_SECONDS: "1",
      INBOX_BATCH_SIZE: batch,
      LOG_LEVEL: "warn",
    },
    () => {},
  );
}

async function newUser(): Promise<{ user: string; password: string }> {
  return dovecot.addUser(`u-${crypto.randomBytes(4).toString("hex")}@test.local`);
}

it("a connection cut every 0.4 s while mail keeps arriving: every message recorded exactly once", async () => {
  const { user, password } = await newUser();
  const imap = { host: "127.0.0.1", port: dovecot.port, user, password };
  const config = configFor(user, password, proxy.port);
  const total = 400;
  const messages = Array.from({ length: total }, (_, i) =>
    replyMessage({
      from: `Sender ${i} <s${i}@example.net>`,
      to: user,
      messageId: `cut-${i}@example.net`,
      body: `message ${i} `.repeat(1 + (i % 50)),
    }),
  );
  await appendAll(imap, "INBOX", messages.slice(0, 150));
  const watcher = runWatcher({ db: app.db, sql: app.sql, config }, "replies");
  let drops = 0;
  const cutter = setInterval(() => {
    drops++;
    proxy.dropAll();
  }, 400);
  try {
    // the rest arrive while the connection keeps being cut
    for (let i = 150; i < total; i += 25) {
      await appendAll(imap, "INBOX", messages.slice(i, i + 25));
      await new Promise((r) => setTimeout(r, 150));
    }
    await waitUntil(
      "all messages recorded",
      async () =>
        (await app.db.inboundMessage.count({ where: { mailbox: "replies" } })) === total
          ? true
          : undefined,
      60_000,
    );
  } finally {
    clearInterval(cutter);
    await watcher.stop();
  }
  expect(drops).toBeGreaterThanOrEqual(3);
  const rows = await app.db.inboundMessage.findMany({
    where: { mailbox: "replies" },
    select: { messageId: true },
  });
  expect(new Set(rows.map((r) => r.messageId)).size).toBe(total);
  expect(await app.db.dialogueRecord.count({ where: { mailbox: "replies" } })).toBe(total);
  const checkpoint = await app.db.inboxCheckpoint.findUniqueOrThrow({
    where: { mailbox: "replies" },
  });
  expect(Number(checkpoint.lastUid)).toBe(total);

  // A cut between a batch's commit and its marks leaves recorded messages unmarked; the
  // next connection marks them (restoreMarks), so in the end every one shows as handled.
  const unmarked = async () =>
    [...(await flagsOf(imap, "INBOX")).values()].filter((f) => !f.has("$MailstewardDone")).length;
  const before = await unmarked();
  const again = runWatcher({ db: app.db, sql: app.sql, config }, "replies");
  try {
    await waitUntil("every message marked done", async () => (await unmarked()) === 0, 20_000);
  } finally {
    await again.stop();
  }
  console.log(
    `${drops} cuts; ${before} recorded messages were left unmarked by a cut, then marked`,
  );
}, 120_000);

it("malformed MIME never stalls the watcher: each is recorded (unparseable ones with the reason, left flagged), the rest go on", async () => {
  const { user, password } = await newUser();
  const imap = { host: "127.0.0.1", port: dovecot.port, user, password };
  const config = configFor(user, password, dovecot.port, "5", "malformed");
  // random CJK ideographs, three bytes each in UTF-8, which do not compress
  const cjk = (n: number) =>
    String.fromCharCode(...Array.from({ length: n }, () => 0x4e00 + crypto.randomInt(20_000)));
  const hdr = (extra: string) =>
    Buffer.from(`From: m@example.net\r\nTo: ${user}\r\nSubject: malformed\r\n${extra}`);
  const bad: Array<[string, Buffer]> = [
    [
      "broken boundary",
      hdr(
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\nhello\r\n',
      ),
    ],
    [
      "unknown charset and bad base64",
      hdr(
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-nonsense-42\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n",
      ),
    ],
    [
      "30 MB attachment",
      Buffer.concat([
        hdr(
          'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="big"\r\n\r\n--big\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--big\r\nContent-Type: application/octet-stream; name="big.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n',
        ),
        Buffer.from(
          (
            crypto
              .randomBytes(22 * 1024 * 1024)
              .toString("base64")
              .match(/.{1,76}/g) ?? []
          ).join("\r\n"),
        ),
        Buffer.from("\r\n--big--\r\n"),
      ]),
    ],
    [
      "header injection",
      hdr("Bcc: victim@example.org\r\nX-Test: a\r\n b\r\n\r\nline\r\nTo: injected@example.org\r\n"),
    ],
    ["NUL bytes", hdr("\r\n\0\0hello\0world\r\n")],
    [
      "truncated",
      Buffer.from("From: t@example.net\r\nSubject: trunc\r\nContent-Type: multipart/mi"),
    ],
    // Long ids of 8-bit bytes: the Message-ID is the dedupe key and the oldest reference
    // names the thread, both indexed, and a PostgreSQL index entry holds at most 2,704 bytes.
    ["Message-ID of 900 three-byte characters", hdr(`Message-ID: <${cjk(900)}>\r\n\r\nhi\r\n`)],
    [
      "References of 990 three-byte characters",
      hdr(
        `Message-ID: <long-refs@example.net>\r\nIn-Reply-To: <${cjk(990)}>\r\n` +
          `References: <${cjk(990)}>\r\n\r\nhi\r\n`,
      ),
    ],
    [
      "2 MB header",
      Buffer.concat([
        hdr("X-Huge: "),
        Buffer.alloc(2 * 1024 * 1024, "a"),
        Buffer.from("\r\n\r\nbody\r\n"),
      ]),
    ],
  ];
  const good = replyMessage({
    from: "Good <good@example.net>",
    to: user,
    messageId: "good-after@example.net",
  });
  await appendAll(imap, "INBOX", [...bad.map(([, m]) => m), good]);
  const watcher = runWatcher({ db: app.db, sql: app.sql, config }, "malformed");
  try {
    await waitUntil(
      "every malformed message and the good one after them",
      async () =>
        (await app.db.inboundMessage.count({ where: { mailbox: "malformed" } })) === bad.length + 1
          ? true
          : undefined,
      60_000,
    );
  } finally {
    await watcher.stop();
  }
  const rows = await app.db.inboundMessage.findMany({
    where: { mailbox: "malformed" },
    orderBy: { uid: "asc" },
  });
  expect(rows.at(-1)).toMatchObject({ messageId: "good-after@example.net", outcome: "recorded" });
  const unparseable = rows.filter((r) => r.kind === "unparseable");
  expect(unparseable.length).toBeGreaterThanOrEqual(1);
  for (const r of unparseable) expect((r.detail as { reason?: string }).reason).toBeTruthy();
  const flags = await flagsOf(imap, "INBOX");
  for (const r of rows) {
    const f = flags.get(Number(r.uid))!;
    expect(f.has(r.kind === "unparseable" ? "\\Flagged" : "$MailstewardDone"), `uid ${r.uid}`).toBe(
      true,
    );
  }
  // for the record in the report: which of these the parser refused and why
  console.log(
    rows
      .slice(0, bad.length)
      .map(
        (r, i) =>
          `${bad[i]![0]}: ${r.kind}${r.kind === "unparseable" ? ` (${(r.detail as { reason: string }).reason})` : ""}`,
      )
      .join("\n"),
  );
}, 120_000);

it("a mailbox name pointed at another account rescans it rather than trusting the old UIDs", async () => {
  // Dovecot's UIDVALIDITY is the folder's creation time: two accounts made in the
  // same second share it, so only the checkpoint's source tells them apart.
  const { user, password } = await newUser();
  const imap = { host: "127.0.0.1", port: dovecot.port, user, password };
  await appendAll(imap, "INBOX", [
    replyMessage({ from: "A <a@example.net>", to: user, messageId: "moved-1@example.net" }),
    replyMessage({ from: "B <b@example.net>", to: user, messageId: "moved-2@example.net" }),
  ]);
  const before = await app.db.inboundMessage.count({ where: { mailbox: "replies" } });
  const watcher = runWatcher(
    { db: app.db, config: configFor(user, password, dovecot.port) },
    "replies",
  );
  try {
    await waitUntil("the other account's messages", async () =>
      (await app.db.inboundMessage.count({ where: { mailbox: "replies" } })) === before + 2
        ? true
        : undefined,
    );
  } finally {
    await watcher.stop();
  }
  const checkpoint = await app.db.inboxCheckpoint.findUniqueOrThrow({
    where: { mailbox: "replies" },
  });
  expect(Number(checkpoint.lastUid)).toBe(2);
});
