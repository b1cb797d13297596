import type { z } from "zod";
import type { Config } from "./config/load-config.ts";
import type { Clock, Db, Logger, Mailer, Sql } from "./types.ts";

/** What a job handler is handed: the edges, plus a way to keep its lock. */
export interface JobContext {
  db: Db;
  /** the worker's plain-SQL path (see Sql); a context built by hand may leave it out */
  sql?: Sql;
  mailer: Mailer;
  clock: Clock;
  log: Logger;
  config: Config;
  queue: JobQueue;
  /** renew the job's lock; long handlers call it between batches */
  touch(progress?: number): Promise<void>;
  /** aborted when the worker is asked to stop: finish the current step and return */
  signal: AbortSignal;
}

/**
 * One Agenda job: a stable dotted name, the payload schema, an optional
 * repeat schedule, and a thin handler that calls one domain function.
 */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  payload: S;
  /** e.g. "1 day" or a cron expression; repeating jobs are created at start */
  every?: string | ((config: Config) => string);
  concurrency?: number;
  /**
   * at most this many runs locked by one worker at once (default: no limit, and
   * a worker locks every due run on a poll); 1 leaves the rest to other workers
   */
  lockLimit?: number;
  handler(payload: z.infer<S>, ctx: JobContext): Promise<void>;
}

export function defineJob<S extends z.ZodType>(job: JobDefinition<S>): JobDefinition<S> {
  return job;
}

/** The narrow view of the job queue that domain code is handed. */
export interface JobQueue {
  now(name: string, data: unknown): Promise<void>;
  at(when: Date, name: string, data: unknown): Promise<void>;
  /**
   * queues a run of `name` now unless a job of that name with the same data is
   * already queued or running (a long-running job per key, e.g. one watcher per mailbox)
   */
  ensure(name: string, data: Record<string, string | number>): Promise<void>;
  /** removes queued runs of `name` whose data matches every given field */
  cancel(name: string, data: Record<string, unknown>): Promise<number>;
}
