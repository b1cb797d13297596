// bench/cleanup: the yearly cleanup of one large mailbox. N messages (default
// 100,000) in INBOX, half older than the policy's 12 months (by internal
// date), half younger; keep rules active (open customers and dialogue records
// in PostgreSQL, so envelopes are fetched and matched). Prints the time to
// select and to delete by UID through mailsteward's cleanupMailbox, and in the
// same run the floor: `doveadm expunge ... before DATE` doing the same
// selection and deletion inside the server, on an identical second mailbox.
//   tsx bench/cleanup.ts [N=100000]
// Seeding writes Maildir files directly (the file's mtime is Dovecot's internal
// date) and builds the index with `doveadm index`, so 100k messages take
// seconds; neither seeding nor indexing is timed.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { openDatabase } from "../src/adapters/database.ts";
import { cleanupCutoff } from "../src/mailboxes/cleanup-cutoff.ts";
import { cleanupMailbox } from "../src/mailboxes/cleanup-mailbox.ts";
import { systemClock, type Logger } from "../src/types.ts";
import { testConfig } from "../test/support/app-config.ts";
import { createTestDatabase } from "../test/support/database.ts";
import { startDovecot } from "../test/support/dovecot.ts";

const run = promisify(execFile);
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const now = new Date();
const cutoff = cleanupCutoff(now, 12);

function message(i: number, date: Date): string {
  return [
    `From: Sender ${i % 997} <sender${i % 997}@partner${i % 13}.test>`,
    `To: Employee <bench@test.local>`,
    `Subject: Message ${i} about the project`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <m${i}.${randomBytes(4).toString("hex")}@bench.test>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Hello, this is message ${i}.`,
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(12 + (i % 20)),
    "",
  ].join("\r\n");
}

async function seed(dovecotDir: string, user: string, uid: number, gid: number): Promise<void> {
  const root = path.join(dovecotDir, "mail", user, "Maildir");
  for (const sub of ["cur", "new", "tmp"]) fs.mkdirSync(path.join(root, sub), { recursive: true });
  const day = 86_400_000;
  for (let i = 0; i < N; i++) {
    // even: 13 to 48 months old (selected); odd: 0 to 10 months old (kept)
    const age = i % 2 === 0 ? 400 + (i % 1000) : i % 300;
    const date = new Date(now.getTime() - age * day - (i % 86_400) * 1000);
    const body = message(i, date);
    const file = path.join(
      root,
      "cur",
      `${Math.floor(date.getTime() / 1000)}.M${i}P1.bench,S=${Buffer.byteLength(body)}:2,S`,
    );
    fs.writeFileSync(file, body);
    fs.utimesSync(file, date, date);
  }
  await run("chown", ["-R", `${uid}:${gid}`, path.join(dovecotDir, "mail", user)]);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const dovecot = await startDovecot({ mailFsync: "never" });
  const database = await createTestDatabase();
  const { db, close } = await openDatabase({
    databaseUrl: database.url,
    dataDir: "/nonexistent",
    purpose: "bench cleanup",
    log: quiet,
  });
  try {
    const ids = {
      uid: Number((await run("id", ["-u", "vmail"])).stdout),
      gid: Number((await run("id", ["-g", "vmail"])).stdout),
    };
    const ours = `ours-${randomBytes(3).toString("hex")}@test.local`;
    const floor = `floor-${randomBytes(3).toString("hex")}@test.local`;
    await dovecot.addUser(ours, "bench-password");
    await dovecot.addUser(floor, "bench-password");
    let t = Date.now();
    await seed(dovecot.dir, ours, ids.uid, ids.gid);
    await seed(dovecot.dir, floor, ids.uid, ids.gid);
    const seededMs = Date.now() - t;
    t = Date.now();
    await dovecot.doveadm(["index", "-u", ours, "INBOX"]);
    await dovecot.doveadm(["index", "-u", floor, "INBOX"]);
    console.log(
      `seeded 2 x ${N.toLocaleString("en")} messages in ${seconds(seededMs)}, indexed in ${seconds(Date.now() - t)} (not timed below)`,
    );

    // keep rules as a company has them: open customers and dialogue records to match against
    await db.contact.createMany({
      data: Array.from({ length: 2000 }, (_, i) => ({
        email: `customer${i}@client${i % 50}.test`,
        customerStatus: "customer" as const,
      })),
    });
    await db.dialogueRecord.createMany({
      data: Array.from({ length: 2000 }, (_, i) => ({
        kind: "reply" as const,
        messageId: `dialogue${i}@elsewhere.test`,
        receivedAt: now,
      })),
    });
    const config = testConfig({ DATABASE_URL: database.url });
    const employee = await db.employee.create({
      data: {
        address: ours,
        imapHost: "127.0.0.1",
        imapPort: dovecot.port,
        tlsMode: "none",
        login: ours,
        secretRef: "env:BENCH_CLEANUP_PASSWORD",
      },
    });
    const env = { BENCH_CLEANUP_PASSWORD: "bench-password" };
    const deps = { db, config, log: quiet, clock: systemClock, env };

    const phases: Record<string, { first: number; last: number }> = {};
    const track = (phase: string) => {
      const at = Date.now();
      phases[phase] ??= { first: at, last: at };
      phases[phase].last = at;
    };
    t = Date.now();
    const dry = await cleanupMailbox(deps, employee.id, { actor: "bench", dryRun: true });
    const dryMs = Date.now() - t;
    const cpu0 = process.cpuUsage();
    t = Date.now();
    const { report } = await cleanupMailbox(deps, employee.id, {
      actor: "bench",
      onProgress: (p) => track(`run-${p.phase}`),
    });
    const totalMs = Date.now() - t;
    const cpu = process.cpuUsage(cpu0);
    const selectMs = (phases["run-select"]?.last ?? t) - t;
    const deleteMs = totalMs - selectMs;
    const left = await dovecot.doveadm(["mailbox", "status", "-u", ours, "messages", "INBOX"]);

    t = Date.now();
    const cutoffDay = cutoff.toISOString().slice(0, 10);
    await dovecot.doveadm(["expunge", "-u", floor, "mailbox", "INBOX", "before", cutoffDay]);
    const floorMs = Date.now() - t;
    const floorLeft = await dovecot.doveadm([
      "mailbox",
      "status",
      "-u",
      floor,
      "messages",
      "INBOX",
    ]);

    console.log(
      `selected ${dry.report.totals.selected.toLocaleString("en")} of ${N.toLocaleString("en")} (dry run, select only: ${seconds(dryMs)})`,
    );
    console.log(
      `mailsteward cleanup: ${seconds(totalMs)} in all (select ${seconds(selectMs)}, delete by UID ${seconds(deleteMs)}); deleted ${report.totals.deleted.toLocaleString("en")}, ${(report.totals.deletedBytes / 1024 / 1024).toFixed(1)} MB; left: ${left.trim()}`,
    );
    console.log(
      `floor, doveadm expunge before ${cutoffDay} inside the server: ${seconds(floorMs)}; left: ${floorLeft.trim()}`,
    );
    console.log(
      `client CPU of the cleanup run: ${seconds((cpu.user + cpu.system) / 1000)}; load average now ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} on ${os.cpus().length} cores`,
    );
    console.log(`goal: under 20 s -> ${totalMs < 20_000 ? "met" : "NOT met"}`);
  } finally {
    await close();
    await database.drop();
    await dovecot.stop();
  }
}

await main();
