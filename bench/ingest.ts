// bench/ingest: a Dovecot mailbox seeded with N mixed messages (replies with
// quoted history, Postfix-style DSNs for campaign deliveries, auto-replies;
// 1-60 KB, a few with attachments), watched from empty by the production
// watcher (UID batches, one transaction per batch, PostgreSQL): time until all
// are recorded, messages per second, peak RSS sampled during the run and at
// 25/50/75/100 % (flat means memory does not grow with the backlog); and, in
// the same run, mailparser's parse-only throughput over the same messages
// (parseMime + classify, no IMAP, no database) as the ceiling.
//   tsx bench/ingest.ts [N=10000] [--batch 250] [--read-threads N (0: on the watcher's thread)]
//                       [--through-prisma (the batch's statements through Prisma, not the pg pool)]
import crypto from "node:crypto";
import os from "node:os";
import { parseMime } from "../src/adapters/parse-mime.ts";
import { loadConfig } from "../src/config/load-config.ts";
import { classifyMessage } from "../src/inbox/classify-message.ts";
import { openApp } from "../src/main.ts";
import { createTestDatabase } from "../test/support/database.ts";
import { startDovecot } from "../test/support/dovecot.ts";
import {
  autoReplyMessage,
  dsnMessage,
  replyMessage,
  runWatcher,
  seedMaildir,
} from "../test/integration/inbox-fixture.ts";

const args = process.argv.slice(2);
const N = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith("--")) ?? 10_000);
const batchIndex = args.indexOf("--batch");
const BATCH = batchIndex >= 0 ? args[batchIndex + 1]! : "250";
const threadsIndex = args.indexOf("--read-threads");
const READ_THREADS = threadsIndex >= 0 ? args[threadsIndex + 1]! : undefined;
const THROUGH_PRISMA = args.includes("--through-prisma");

const rss = { peak: 0, at: [] as string[] };
const sampler = setInterval(() => (rss.peak = Math.max(rss.peak, process.memoryUsage().rss)), 50);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

const [database, dovecot] = await Promise.all([
  createTestDatabase(),
  startDovecot({ mailFsync: "never" }),
]);
const user = `bench-${crypto.randomBytes(3).toString("hex")}@test.local`;
const { password } = await dovecot.addUser(user);
const config = loadConfig(
  {
    DATABASE_URL: database.url,
    SIGNING_KEYS: "k1:" + Buffer.alloc(32, 8).toString("base64"),
    SUPPRESSION_KEY: "bench-suppression-key-0123456789abcdef",
    MAIL_FROM: "Example News <news@example.test>",
    JOB_LOCK_LIFETIME_SECONDS: "30",
    INBOX_MAILBOXES: "bench",
    INBOX_BENCH_ROLE: "bounce",
    INBOX_BENCH_URL: `imap://${encodeURIComponent(user)}@127.0.0.1:${dovecot.port}/INBOX`,
    INBOX_BENCH_PASSWORD: password,
    INBOX_BATCH_SIZE: BATCH,
    INBOX_READ_THREADS: READ_THREADS,
    LOG_LEVEL: "warn",
  },
  () => {},
);
const app = await openApp({ purpose: "bench", config });
try {
  // an audience and a sent campaign, so replies and DSNs thread onto deliveries
  const contacts = Math.min(2000, N);
  await app.db.$executeRaw`INSERT INTO contacts (email, name, updated_at)
    SELECT 'p' || g || '@example.net', 'Person ' || g, now() FROM generate_series(1, ${contacts}::int) g`;
  const campaign = await app.db.campaign.create({
    data: { slug: "bench", template: "monthly", subject: "News for you", status: "sent" },
  });
  await app.db
    .$executeRaw`INSERT INTO deliveries (campaign_id, contact_id, message_id, status, sent_at, updated_at)
    SELECT ${campaign.id}, id, 'c' || ${campaign.id} || '.r' || id || '@example.test', 'sent', now(), now() FROM contacts`;
  const ids = (await app.db.contact.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map(
    (c) => c.id,
  );
  const quoted = (n: number) =>
    Array.from({ length: n }, (_, i) => `> line ${i} of the newsletter we sent you`).join("\n");
  // Message i is made on demand, never all N at once: memory held by the bench itself
  // would grow with N and hide whether the watcher's does.
  const messageAt = (i: number): Buffer => {
    const c = ids[i % ids.length]!;
    const email = `p${(i % ids.length) + 1}@example.net`;
    const deliveryId = `c${campaign.id}.r${c}@example.test`;
    const kind = i % 10;
    if (kind < 6) {
      // replies: 1-60 KB of text and quoted history
      const body = `Reply ${i}: ${"thanks for the news, tell me more. ".repeat(1 + (i % 40))}\n\nOn Mon, Example News wrote:\n${quoted(10 + ((i * 7) % 900))}`;
      return replyMessage({
        from: `Person <${email}>`,
        to: "news@example.test",
        messageId: `bench-r${i}@example.net`,
        inReplyTo: deliveryId,
        body,
      });
    }
    if (kind < 9)
      return dsnMessage({
        to: "news@example.test",
        recipient: email,
        status: i % 3 === 0 ? "5.1.1" : "4.2.2",
        diagnostic:
          i % 3 === 0 ? "550 5.1.1 User unknown" : "452 4.2.2 Mailbox full, try again later",
        originalMessageId: deliveryId,
        messageId: `bench-d${i}@mx.example.test`,
      });
    return autoReplyMessage({
      from: `Person <${email}>`,
      to: "news@example.test",
      messageId: `bench-a${i}@example.net`,
    });
  };
  let bytes = 0;
  const seedStart = Date.now();
  await seedMaildir(
    dovecot,
    user,
    (function* () {
      for (let i = 0; i < N; i++) {
        const m = messageAt(i);
        bytes += m.length;
        yield m;
      }
    })(),
  );
  console.log(
    `seeded ${N} messages (${mb(bytes)}, mean ${(bytes / N / 1024).toFixed(1)} KB) in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`,
  );

  // ceiling: parse + classify only, same messages, same process; made 500 at a time
  // outside the timed part
  let parseNs = 0n;
  for (let from = 0; from < N; from += 500) {
    const chunk = Array.from({ length: Math.min(500, N - from) }, (_, j) => messageAt(from + j));
    const t = process.hrtime.bigint();
    for (const m of chunk) classifyMessage(await parseMime(m), { unsubscribeAddresses: [] });
    parseNs += process.hrtime.bigint() - t;
  }
  const parseSeconds = Number(parseNs) / 1e9;
  const cpuBefore = process.cpuUsage();
  console.log(`RSS before watching ${mb(process.memoryUsage().rss)}`);

  rss.peak = process.memoryUsage().rss;
  const start = Date.now();
  const marks = [0.25, 0.5, 0.75, 1];
  const watcher = runWatcher(
    { db: app.db, ...(THROUGH_PRISMA ? {} : { sql: app.sql }), config },
    "bench",
  );
  for (;;) {
    const done = await app.db.inboundMessage.count();
    while (marks.length > 0 && done >= marks[0]! * N) {
      rss.at.push(`${marks.shift()! * 100}% ${mb(process.memoryUsage().rss)}`);
    }
    if (done >= N) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (Date.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await watcher.stop();
  const kinds = await app.db.inboundMessage.groupBy({ by: ["kind"], _count: { _all: true } });
  console.log(
    `ingest: ${N} messages recorded in ${seconds.toFixed(2)} s = ${(N / seconds).toFixed(0)} msg/s ` +
      `(batch ${BATCH}, ${config.inbox.readThreads} reader threads, ` +
      `${THROUGH_PRISMA ? "statements through Prisma" : "statements on the pg pool"}); ` +
      kinds.map((k) => `${k.kind} ${k._count._all}`).join(", "),
  );
  console.log(
    `ceiling (parseMime + classify only, same messages): ${(N / parseSeconds).toFixed(0)} msg/s`,
  );
  console.log(
    `ratio to the ceiling ${(N / seconds / (N / parseSeconds)).toFixed(2)}; this process's CPU while watching ` +
      `${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} ms/msg (ceiling ${((parseSeconds * 1000) / N).toFixed(2)} ms/msg); ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
  console.log(`peak RSS ${mb(rss.peak)}; RSS at ${rss.at.join(", ")}`);
} finally {
  clearInterval(sampler);
  await app.close();
  await Promise.all([database.drop(), dovecot.stop()]);
}
