/**
 * Agenda's job table (`agenda_jobs`, created by our migration from
 * @agendajs/postgres-backend 3.0.6's DDL) read and changed for the console's
 * queue health. Raw SQL, all of it here: the table is Agenda's, outside the
 * Prisma schema, and Agenda's own API answers one job at a time where the
 * dashboard wants counts per name in one pass. Only PostgreSQL: with
 * AGENDA_MONGODB_URL the queue is elsewhere and callers say so instead.
 *
 * How Agenda 6.2.6 leaves a row: `locked_at` is set while a worker holds the
 * run (renewed by touch); a failed run sets `failed_at` and `last_finished_at`
 * to the same instant, a successful one only `last_finished_at` (later), so
 * "the last run failed" is `failed_at >= last_finished_at`. A one-time job
 * that failed keeps its row with no `next_run_at`; a repeating one gets its
 * next run. Successful one-time jobs are removed (removeOnComplete).
 */
import { Prisma } from "../generated/prisma/client.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";

export interface JobNameCounts {
  name: string;
  /** waiting for a worker: next run in the past, not locked */
  due: number;
  /** due for longer than `overdueAfterMs` */
  overdue: number;
  /** next run in the future */
  later: number;
  /** locked by a worker (taken or running) */
  running: number;
  /** locked longer than the lock lifetime: the worker died; another takes it over */
  stale: number;
  /** last run failed, and not queued to run again now */
  failed: number;
  nextRunAt: Date | null;
}

export interface FailedJob {
  id: string;
  name: string;
  failedAt: Date;
  failCount: number;
  failReason: string | null;
  /** the payload: ids and mailbox keys, never addresses (jobs/*.ts) */
  data: unknown;
  /** a repeating job's interval; its next scheduled run */
  repeatInterval: string | null;
  nextRunAt: Date | null;
}

/** A failed last run, not locked, and not already waiting to run again. */
const failed = (now: Date) => Prisma.sql`failed_at IS NOT NULL
  AND failed_at >= coalesce(last_finished_at, failed_at)
  AND locked_at IS NULL
  AND (next_run_at IS NULL OR next_run_at > ${now})`;

const waiting = (before: Date) => Prisma.sql`locked_at IS NULL AND NOT coalesce(disabled, false)
  AND next_run_at <= ${before}`;

export async function countJobsByName(
  db: DbOrTx,
  opts: { now: Date; lockLifetimeMs: number; overdueAfterMs: number },
): Promise<JobNameCounts[]> {
  const { now } = opts;
  const overdueBefore = new Date(now.getTime() - opts.overdueAfterMs);
  const staleBefore = new Date(now.getTime() - opts.lockLifetimeMs);
  return db.$queryRaw<JobNameCounts[]>`
    SELECT name,
           count(*) FILTER (WHERE ${waiting(now)})::int AS due,
           count(*) FILTER (WHERE ${waiting(overdueBefore)})::int AS overdue,
           count(*) FILTER (WHERE locked_at IS NULL AND next_run_at > ${now})::int AS later,
           count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
           count(*) FILTER (WHERE locked_at < ${staleBefore})::int AS stale,
           count(*) FILTER (WHERE ${failed(now)})::int AS failed,
           min(next_run_at) FILTER (WHERE locked_at IS NULL AND NOT coalesce(disabled, false))
             AS "nextRunAt"
      FROM agenda_jobs
     GROUP BY name
     ORDER BY name`;
}

export async function listFailedJobs(
  db: DbOrTx,
  opts: { now: Date; limit: number },
): Promise<FailedJob[]> {
  return db.$queryRaw<FailedJob[]>`
    SELECT id::text AS id, name, failed_at AS "failedAt", coalesce(fail_count, 1)::int AS "failCount",
           fail_reason AS "failReason", data, repeat_interval AS "repeatInterval",
           next_run_at AS "nextRunAt"
      FROM agenda_jobs
     WHERE ${failed(opts.now)}
     ORDER BY failed_at DESC
     LIMIT ${opts.limit}`;
}

/** One row's state, to say why an action found nothing to change. */
export async function findJobState(
  db: DbOrTx,
  id: string,
): Promise<{ name: string; lockedAt: Date | null } | null> {
  const rows = await db.$queryRaw<Array<{ name: string; lockedAt: Date | null }>>`
    SELECT name, locked_at AS "lockedAt" FROM agenda_jobs WHERE id = ${id}::uuid`;
  return rows[0] ?? null;
}

/**
 * Makes a failed job due now; a worker takes it on its next look (at most
 * Agenda's processEvery later: the update sends no notification). The fail
 * reason stays until the run's outcome replaces it.
 */
export async function requeueFailedJob(
  db: DbOrTx,
  id: string,
  now: Date,
): Promise<{ name: string; failCount: number } | null> {
  const rows = await db.$queryRaw<Array<{ name: string; failCount: number }>>`
    UPDATE agenda_jobs SET next_run_at = ${now}
     WHERE id = ${id}::uuid AND ${failed(now)}
     RETURNING name, coalesce(fail_count, 1)::int AS "failCount"`;
  return rows[0] ?? null;
}

export async function deleteFailedJob(
  db: DbOrTx,
  id: string,
  now: Date,
): Promise<{ name: string; failCount: number; repeatInterval: string | null } | null> {
  const rows = await db.$queryRaw<
    Array<{ name: string; failCount: number; repeatInterval: string | null }>
  >`
    DELETE FROM agenda_jobs
     WHERE id = ${id}::uuid AND ${failed(now)}
     RETURNING name, coalesce(fail_count, 1)::int AS "failCount", repeat_interval AS "repeatInterval"`;
  return rows[0] ?? null;
}
