// The yearly review through its jobs: the digest goes to the employee over a
// real SMTP server, the deletion is queued in Agenda for the announced date,
// nothing goes before it, and a message flagged in between is kept.
import { afterAll, beforeAll, expect, it } from "vitest";
import { mailboxCleanupDelete } from "../../jobs/mailbox-cleanup-delete.ts";
import { mailboxCleanupReview } from "../../jobs/mailbox-cleanup-review.ts";
import { jobs } from "../../jobs/index.ts";
import { isAppError } from "../../src/errors.ts";
import type { JobContext } from "../../src/jobs.ts";
import { openApp, type App } from "../../src/main.ts";
import { testConfig } from "../support/app-config.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import {
  daysAgo,
  openCleanupWorld,
  quietLog,
  type CleanupWorld,
} from "./mailbox-cleanup-fixture.ts";

let world: CleanupWorld;
let dovecot: Dovecot;
let sink: SmtpSink;
let app: App;
let now = new Date();
const clock = { now: () => now };

beforeAll(async () => {
  [world, dovecot, sink] = await Promise.all([
    openCleanupWorld(),
    startDovecot({ mailFsync: "never" }),
    startSmtpSink(),
  ]);
  app = await openApp({
    purpose: "cleanup review test",
    config: testConfig({
      DATABASE_URL: world.database.url,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      CLEANUP_GRACE_DAYS: "14",
    }),
    clock,
    log: quietLog,
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await Promise.all([world?.close(), dovecot?.stop(), sink?.close()]);
});

function context(): JobContext {
  return {
    db: app.db,
    mailer: app.mailer,
    clock,
    log: quietLog,
    config: app.config,
    queue: app.queue,
    touch: async () => {},
    signal: new AbortController().signal,
  };
}

it("sends the digest, queues the deletion for the announced date, deletes nothing before it, keeps what was flagged meanwhile", async () => {
  expect(jobs.map((j) => j.name)).toEqual(
    expect.arrayContaining(["mailbox.cleanup-review", "mailbox.cleanup-delete"]),
  );
  expect(
    typeof mailboxCleanupReview.every === "function" && mailboxCleanupReview.every(app.config),
  ).toBe("0 6 15 1 *");
  const ana = await world.employee(dovecot, "ana");
  // the worker reads the secret from its environment
  Object.assign(process.env, world.env);
  await world.seed(dovecot, ana.address, "INBOX", [
    { subject: "Minutes of the 2023 kickoff", date: daysAgo(1000) },
    { subject: "Huge scan", date: daysAgo(500), pad: 300_000 },
    { subject: "old newsletter", date: daysAgo(600) },
    { subject: "young", date: daysAgo(30) },
  ]);
  await world.seed(dovecot, ana.address, "Sent", [{ subject: "old reply", date: daysAgo(700) }]);

  await mailboxCleanupReview.handler({}, context());
  const [digest] = await sink.waitFor(1);
  expect(digest!.to).toEqual([ana.address]);
  const text = digest!.raw.toString("utf8");
  const run = await app.db.cleanupRun.findFirstOrThrow({ where: { employeeId: ana.id } });
  expect(run.status).toBe("review");
  expect(run.deleteAfter.getTime()).toBe(now.getTime() + 14 * 86_400_000);
  const goes = run.deleteAfter.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
  const unfolded = text.replace(/=\r?\n/g, "").replace(/\r?\n/g, " ");
  expect(unfolded).toContain(`Subject: Your yearly mailbox review: 4 old messages go on ${goes}`);
  expect(unfolded).toContain("Minutes of the 2023 kickoff"); // the oldest
  expect(unfolded).toContain("Huge scan"); // the biggest
  expect(unfolded).toMatch(/To keep a message, flag it/);
  const queued = await app.database.pool.query<{ next_run_at: Date; data: { runId: number } }>(
    "SELECT next_run_at, data FROM agenda_jobs WHERE name = 'mailbox.cleanup-delete'",
  );
  expect(queued.rows).toHaveLength(1);
  expect(queued.rows[0]!.data.runId).toBe(run.id);
  expect(new Date(queued.rows[0]!.next_run_at).getTime()).toBe(run.deleteAfter.getTime());

  // a second run of the review job sends nothing while this review is pending
  await mailboxCleanupReview.handler({}, context());
  await new Promise((r) => setTimeout(r, 300));
  expect(sink.count).toBe(1);

  // too early: nothing happens
  now = new Date(now.getTime() + 86_400_000);
  const early = await mailboxCleanupDelete
    .handler({ runId: run.id }, context())
    .catch((e: unknown) => e);
  expect(isAppError(early, "conflict")).toBe(true);
  expect(await world.read(dovecot, ana.address, "INBOX")).toHaveLength(4);

  // the employee flags one; an old message turns up (restored from a backup, say)
  const s = await world.session(dovecot, ana.address);
  await s.mailboxOpen("INBOX");
  const scan = (await world.read(dovecot, ana.address, "INBOX")).find(
    (m) => m.subject === "Huge scan",
  )!;
  await s.messageFlagsAdd(String(scan.uid), ["\\Flagged"], { uid: true });
  await s.logout();
  await world.seed(dovecot, ana.address, "INBOX", [
    { subject: "old, arrived later", date: daysAgo(900) },
  ]);

  now = new Date(run.deleteAfter.getTime() + 3_600_000);
  await mailboxCleanupDelete.handler({ runId: run.id }, context());
  const left = (await world.read(dovecot, ana.address, "INBOX")).map((m) => m.subject).sort();
  expect(left).toEqual(["Huge scan", "young"]);
  expect(await world.read(dovecot, ana.address, "Sent")).toEqual([]);
  const done = await app.db.cleanupRun.findUniqueOrThrow({ where: { id: run.id } });
  expect(done.status).toBe("done");
  const audit = await app.db.auditEntry.findFirstOrThrow({
    where: { action: "mailbox.cleanup.completed", subjectId: String(ana.id) },
  });
  expect(audit.detail).toMatchObject({ runId: run.id, totals: { deleted: 4 } });
  expect(JSON.stringify(audit.detail)).not.toMatch(/@|kickoff|Huge|newsletter/);
  // a run that is done is not run again
  await mailboxCleanupDelete.handler({ runId: run.id }, context());
}, 90_000);
