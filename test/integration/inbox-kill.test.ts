// Two workers share the database and the job queue; the one watching the
// mailbox is killed with SIGKILL during a backlog, three times, and a fresh
// worker is started each time. The other takes the watcher over within the
// lock lifetime, and in the end every message is recorded exactly once.
// Each round delivers its own backlog while the workers run: the watcher
// clears a single seeded backlog of thousands in a few seconds, faster than a
// kill at a threshold can land inside it.
import crypto from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { startMain, type Started } from "../support/processes.ts";
import { replyMessage, seedMaildir, waitUntil } from "./inbox-fixture.ts";

let database: TestDatabase;
let dovecot: Dovecot;
let pool: pg.Pool;
const workers = new Set<Started>();
let env: Record<string, string>;
const rounds = 3;
const perRound = 1500;
const total = rounds * perRound;
let user: string;

beforeAll(async () => {
  [database, dovecot] = await Promise.all([createTestDatabase(), startDovecot()]);
  user = `kill-${crypto.randomBytes(3).toString("hex")}@test.local`;
  const { password } = await dovecot.addUser(user);
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  env = {
    DATABASE_URL: database.url,
    SIGNING_KEYS: "k1:" + Buffer.alloc(32, 6).toString("base64"),
    SUPPRESSION_KEY: "test-suppression-key-0123456789abcdef",
    ADMIN_TOKEN: "admin-token-0123456789abcdef",
    MAIL_FROM: "Example News <news@example.test>",
    JOB_LOCK_LIFETIME_SECONDS: "4",
    INBOX_MAILBOXES: "replies",
    INBOX_REPLIES_ROLE: "bounce",
    INBOX_REPLIES_URL: `imap://${encodeURIComponent(user)}@127.0.0.1:${dovecot.port}/INBOX`,
    INBOX_REPLIES_PASSWORD: password,
    INBOX_POLL_SECONDS: "1",
    INBOX_BATCH_SIZE: "20",
  };
}, 120_000);

// tsx runs src/main.ts in a child of the process startMain spawned: the worker's
// own pid (the one in the checkpoint's watcher) is that child's
async function workerPid(w: Started): Promise<number | undefined> {
  const { readdir, readFile } = await import("node:fs/promises");
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === w.child.pid) return Number(entry);
  }
  return undefined;
}

async function kill(w: Started): Promise<void> {
  const pid = await workerPid(w);
  if (pid) process.kill(pid, "SIGKILL");
  w.child.kill("SIGKILL");
  await w.exited;
}

afterAll(async () => {
  for (const w of workers) await kill(w);
  await Promise.all([...workers].map((w) => w.exited));
  await pool?.end();
  await Promise.all([database?.drop(), dovecot?.stop()]);
});

async function recorded(): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM inbound_messages WHERE mailbox = 'replies'",
  );
  return rows[0]!.n;
}

async function watcherPid(): Promise<number | null> {
  const { rows } = await pool.query<{ watcher: string | null }>(
    "SELECT watcher FROM inbox_checkpoints WHERE mailbox = 'replies' AND heartbeat_at > now() - interval '4 seconds'",
  );
  const pid = rows[0]?.watcher?.split(":")[1];
  return pid ? Number(pid) : null;
}

// Under load a stalled worker's run can be given up by Agenda while the other
// worker's run of the same row is live; the first one's completion used to leave the
// row with neither lock nor next run, which queue.ensure took for "already queued"
// and nothing ever ran the watcher again (job-runner.ts replaces such a row now).
function deliver(round: number): Promise<void> {
  return seedMaildir(
    dovecot,
    user,
    Array.from({ length: perRound }, (_, j) => {
      const i = round * perRound + j;
      return replyMessage({
        from: `Sender ${i} <s${i % 500}@example.net>`,
        to: user,
        messageId: `kill-${i}@example.net`,
        body: `reply ${i} `.repeat(1 + (i % 80)),
      });
    }),
  );
}

it("SIGKILL of the watching worker during a backlog, three times: every message recorded exactly once", async () => {
  for (let i = 0; i < 2; i++) workers.add(await startMain(env, 150_000));
  const takeovers: number[] = [];
  let killedMidBacklog = 0;
  for (let round = 0; round < rounds; round++) {
    const delivered = (round + 1) * perRound;
    await deliver(round);
    await waitUntil(
      `round ${round}: 100 of its messages recorded`,
      async () => (await recorded()) >= round * perRound + 100,
      60_000,
    );
    const pid = await waitUntil("a live watcher", watcherPid, 20_000);
    let victim: Started | undefined;
    for (const w of workers) if ((await workerPid(w)) === pid) victim = w;
    expect(victim, `watcher pid ${pid} is one of our workers`).toBeDefined();
    // SIGKILL to the worker itself: no shutdown code runs, its transaction is cut off
    await kill(victim!);
    workers.delete(victim!);
    const killedAt = Date.now();
    if ((await recorded()) < delivered) killedMidBacklog++;
    workers.add(await startMain(env, 150_000));
    // someone carries on: the survivor once the lock and the heartbeat go stale
    await waitUntil(
      `round ${round}: the rest of its backlog after the kill`,
      async () => (await recorded()) === delivered,
      120_000,
    ).catch(async (error: Error) => {
      for (const w of workers) console.log(`--- worker ${w.child.pid}\n${w.output().slice(-4000)}`);
      const jobs = await pool.query(
        "SELECT name, data, locked_at, last_run_at, next_run_at, last_finished_at, failed_at, fail_reason FROM agenda_jobs WHERE name LIKE 'inbox.%'",
      );
      const checkpoint = await pool.query("SELECT * FROM inbox_checkpoints");
      console.log("--- jobs", jobs.rows, "--- checkpoint", checkpoint.rows);
      throw error;
    });
    takeovers.push(Date.now() - killedAt);
  }
  // 1,400 messages at 20 a batch left after each kill: a kill after the backlog had
  // cleared would mean the test no longer tests what it says
  expect(killedMidBacklog).toBeGreaterThanOrEqual(2);
  const { rows } = await pool.query<{ n: number; distinct: number }>(
    "SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS distinct FROM inbound_messages",
  );
  expect(rows[0]).toEqual({ n: total, distinct: total });
  const dialogues = await pool.query<{ n: number; distinct: number }>(
    "SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS distinct FROM dialogue_records",
  );
  expect(dialogues.rows[0]).toEqual({ n: total, distinct: total });
  const checkpoint = await pool.query<{ last_uid: string }>(
    "SELECT last_uid FROM inbox_checkpoints WHERE mailbox = 'replies'",
  );
  expect(Number(checkpoint.rows[0]!.last_uid)).toBe(total);
  console.log(
    `takeover after SIGKILL (ms, until the round's backlog was recorded): ${takeovers.join(", ")}; kills during a backlog: ${killedMidBacklog} of ${rounds}`,
  );
}, 900_000);
