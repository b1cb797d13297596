import type pg from "pg";
import { Agenda, InMemoryNotificationChannel, type Job } from "agenda";
import { PostgresBackend } from "@agendajs/postgres-backend";
import { MongoBackend } from "@agendajs/mongo-backend";
import { AppError } from "../errors.ts";
import type { JobContext, JobDefinition, JobQueue } from "../jobs.ts";
import type { Logger } from "../types.ts";

export interface JobRunner {
  queue: JobQueue;
  start(): Promise<void>;
  /** stop taking jobs, let running ones finish their step, release the rest */
  stop(timeoutMs?: number): Promise<void>;
  readonly running: boolean;
  /** the store answers */
  healthy(): Promise<boolean>;
}

export interface JobRunnerOptions {
  /** the pool the domain uses; Agenda's tables live in the same database */
  pool: pg.Pool;
  /** PGlite's multiplexer misroutes LISTEN/NOTIFY: poll and notify in-process */
  embedded: boolean;
  /** puts the queue on MongoDB instead (domain data stays in PostgreSQL) */
  mongoUrl?: string;
  lockLifetimeMs: number;
  concurrency: number;
  processEvery?: number;
  jobs: readonly JobDefinition[];
  context: Omit<JobContext, "touch" | "signal" | "queue">;
  log: Logger;
  name?: string;
}

export function createJobRunner(opts: JobRunnerOptions): JobRunner {
  const backend = opts.mongoUrl
    ? new MongoBackend({ address: opts.mongoUrl })
    : new PostgresBackend({
        pool: opts.pool,
        // created by a migration: workers starting together race on CREATE TABLE
        ensureSchema: false,
        disableNotifications: opts.embedded,
      });
  const agenda = new Agenda({
    backend,
    name: opts.name ?? `mailsteward-${process.pid}`,
    defaultLockLifetime: opts.lockLifetimeMs,
    maxConcurrency: opts.concurrency,
    defaultConcurrency: opts.concurrency,
    processEvery: opts.processEvery ?? (opts.embedded ? 1000 : 5000),
    removeOnComplete: true,
    ...(opts.embedded && !opts.mongoUrl
      ? { notificationChannel: new InMemoryNotificationChannel() }
      : {}),
  });
  const stopping = new AbortController();
  let running = false;
  const known = new Map(opts.jobs.map((j) => [j.name, j]));

  const queue: JobQueue = {
    async now(name, data) {
      assertKnown(name);
      await agenda.now(name, data);
    },
    async at(when, name, data) {
      assertKnown(name);
      await agenda.schedule(when, name, data);
    },
    async ensure(name, data) {
      assertKnown(name);
      // A run that ended leaves its row behind with neither a lock nor a next run when
      // it failed, or when it finished while another worker's run of the same row was
      // live (Agenda gave the first one up after a stall and the second picked the row
      // up; the first one's completion then clears the lock under the second). Such a
      // row is never run again, and insertOnly below would see it and queue nothing:
      // the mailbox would have no watcher until someone deleted it by hand. Replace it.
      const { jobs } = await agenda.queryJobs({ name });
      for (const j of jobs)
        if (matchesData(j.data, data) && !j.lockedAt && !j.nextRunAt)
          await agenda.cancel({ id: String(j._id) });
      const unique = Object.fromEntries(Object.entries(data).map(([k, v]) => [`data.${k}`, v]));
      await agenda
        .create(name, data)
        .unique(unique, { insertOnly: true })
        .schedule(new Date())
        .save();
    },
    async cancel(name, data) {
      assertKnown(name);
      const { jobs } = await agenda.queryJobs({ name });
      const matching = jobs.filter((j) => matchesData(j.data, data));
      let removed = 0;
      for (const j of matching) removed += await agenda.cancel({ id: String(j._id) });
      return removed;
    },
  };

  function matchesData(jobData: unknown, data: Record<string, unknown>): boolean {
    return Object.entries(data).every(
      ([k, v]) => (jobData as Record<string, unknown> | undefined)?.[k] === v,
    );
  }

  function assertKnown(name: string): void {
    if (!known.has(name))
      throw new AppError(
        "invalid_input",
        `unknown job "${name}"; known jobs: ${[...known.keys()].join(", ")}`,
      );
  }

  for (const def of opts.jobs) {
    agenda.define(
      def.name,
      async (job: Job<unknown>) => {
        const parsed = def.payload.safeParse(job.attrs.data ?? {});
        if (!parsed.success) {
          throw new AppError(
            "invalid_input",
            `job ${def.name}: bad payload: ${parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ")}`,
          );
        }
        const started = Date.now();
        opts.log.debug("job started", { job: def.name, id: String(job.attrs._id) });
        await def.handler(parsed.data, {
          ...opts.context,
          queue,
          signal: stopping.signal,
          touch: (progress?: number) => job.touch(progress),
        });
        opts.log.info("job finished", {
          job: def.name,
          id: String(job.attrs._id),
          ms: Date.now() - started,
        });
      },
      {
        concurrency: def.concurrency ?? 1,
        lockLifetime: opts.lockLifetimeMs,
        ...(def.lockLimit ? { lockLimit: def.lockLimit } : {}),
      },
    );
    if (def.lockLimit) lookAgainAfterEachRun(def.name);
  }

  // Agenda looks for due jobs on a poll (processEvery) or when told of a new
  // one, not when a run ends: a worker at its lock limit that finishes a run
  // would idle until the next poll while runs wait. So when a run of a
  // lock-limited job has left Agenda's books, it looks again at once, as a
  // notification would make it (Agenda 6.2.6's processor, not public API).
  function lookAgainAfterEachRun(name: string): void {
    const settle = (job: Job | undefined) => {
      // the same events also arrive for other processes' runs (state notifications), without a Job
      if (!job?.attrs?._id) return;
      const processor = (
        agenda as unknown as {
          jobProcessor?: {
            lockedJobs: Job[];
            handleNotification(n: { jobName: string }): Promise<void>;
          };
        }
      ).jobProcessor;
      if (!processor) return;
      const id = String(job.attrs._id);
      let tries = 0;
      const check = () => {
        if (!running) return;
        if (processor.lockedJobs.some((j) => String(j.attrs._id) === id) && tries++ < 400) {
          setTimeout(check, 5);
          return;
        }
        processor
          .handleNotification({ jobName: name })
          .catch((error: unknown) =>
            opts.log.warn("could not look for the next job", { job: name, error: String(error) }),
          );
      };
      setTimeout(check, 0);
    };
    agenda.on(`success:${name}`, settle);
    agenda.on(`fail:${name}`, (_error: Error, job: Job) => settle(job));
  }

  agenda.on("fail", (error: Error, job: Job) => {
    opts.log.error("job failed", {
      job: job.attrs.name,
      id: String(job.attrs._id),
      error: error.message,
    });
  });
  agenda.on("error", (error: Error) =>
    opts.log.error("job runner error", { error: error.message }),
  );

  return {
    queue,
    get running() {
      return running;
    },
    async start() {
      await agenda.start();
      for (const def of opts.jobs) {
        // a schedule may come from config (the yearly cleanup's CLEANUP_SCHEDULE)
        const every = typeof def.every === "function" ? def.every(opts.context.config) : def.every;
        if (every) await agenda.every(every, def.name, {}, { skipImmediate: true });
      }
      running = true;
    },
    async stop(timeoutMs = 30_000) {
      if (!running) return;
      running = false;
      stopping.abort();
      // stop() stops fetching and releases jobs fetched but not started; running
      // jobs go on and save their state through the still-open backend. We wait
      // for them ourselves: drain() in Agenda 6.2.6 can miss the last completion
      // (it checks before the job leaves the running list) and sits out its timeout.
      const processor = (agenda as unknown as { jobProcessor?: { runningJobs: Job[] } })
        .jobProcessor;
      await agenda.stop(false);
      const deadline = Date.now() + timeoutMs;
      while ((processor?.runningJobs.length ?? 0) > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      if (opts.mongoUrl) await backend.disconnect();
      const stillRunning = processor?.runningJobs.length ?? 0;
      if (stillRunning > 0)
        opts.log.warn(
          "jobs still running at shutdown; their locks expire and another worker resumes them",
          { running: stillRunning },
        );
    },
    async healthy() {
      if (!running) return false;
      try {
        await agenda.queryJobs({ limit: 1 });
        return true;
      } catch {
        return false;
      }
    },
  };
}
