/**
 * The composition root: the one place that turns configuration into a
 * database, a mail transport, a job runner and an HTTP server, and hands them
 * to the domain. `npm start` runs the worker and the web server together.
 */
import { pathToFileURL } from "node:url";
import { jobs } from "../jobs/index.ts";
import { openDatabase, type Database } from "./adapters/database.ts";
import { createJobRunner, type JobRunner } from "./adapters/job-runner.ts";
import { createLogger } from "./adapters/logger.ts";
import { createMailer } from "./adapters/mailer.ts";
import { loadConfig, type Config } from "./config/load-config.ts";
import { isAppError } from "./errors.ts";
import { createServer } from "./http/create-server.ts";
import { announceConsole } from "./http/console/announce-console.ts";
import type { CliRunner } from "./http/admin/cli.ts";
import { publishWorkerEndpoint } from "./adapters/worker-endpoint.ts";
import type { JobQueue } from "./jobs.ts";
import { ensureWatchers } from "./inbox/ensure-watchers.ts";
import { inboxStatus } from "./inbox/inbox-status.ts";
import { systemClock, type Clock, type Db, type Logger, type Mailer, type Sql } from "./types.ts";

export interface App {
  config: Config;
  db: Db;
  /** plain SQL beside Prisma for the campaign sender's hot statements (see Sql) */
  sql: Sql;
  database: Database;
  mailer: Mailer;
  clock: Clock;
  log: Logger;
  /** enqueue jobs; with `worker: false` they wait for a worker to run them */
  queue: JobQueue;
  jobs: JobRunner;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  /** who holds the embedded database, shown to a second process that is refused */
  purpose: string;
  env?: NodeJS.ProcessEnv;
  config?: Config;
  log?: Logger;
  clock?: Clock;
  mailer?: Mailer;
}

export async function openApp(opts: OpenAppOptions): Promise<App> {
  const config = opts.config ?? loadConfig(opts.env ?? process.env);
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    purpose: opts.purpose,
    log,
  });
  const mailer = opts.mailer ?? createMailer(config);
  const runner = createJobRunner({
    pool: database.pool,
    embedded: database.embedded,
    mongoUrl: config.agendaMongoUrl,
    lockLifetimeMs: config.jobLockLifetimeMs,
    // each watched mailbox holds one inbox.watch run for as long as the worker runs
    concurrency: config.jobConcurrency + config.inbox.mailboxes.length,
    jobs,
    context: { db: database.db, sql: database.sql, mailer, clock, log, config },
    log,
  });
  return {
    config,
    db: database.db,
    sql: database.sql,
    database,
    mailer,
    clock,
    log,
    queue: runner.queue,
    jobs: runner,
    async close() {
      await runner.stop();
      await mailer.close();
      await database.close();
    },
  };
}

export interface Running {
  app: App;
  url: string;
  stop(): Promise<void>;
}

/** Worker and web server in one process. */
export async function start(
  opts: OpenAppOptions & { worker?: boolean; http?: boolean } = { purpose: "mailsteward start" },
): Promise<Running> {
  const app = await openApp(opts);
  const startedAt = Date.now();
  let endpoint: ReturnType<typeof publishWorkerEndpoint> | undefined;
  const server = createServer({
    // One process owns the embedded database: CLI commands started beside it run in here.
    ...(app.database.embedded
      ? {
          cli: {
            key: () => endpoint?.endpoint.key,
            async run(request, io) {
              const { runCliInProcess } = await import("./cli/run-cli-in-process.ts");
              return runCliInProcess(app, request, io);
            },
          } satisfies CliRunner,
        }
      : {}),
    db: app.db,
    sql: app.sql,
    config: app.config,
    clock: app.clock,
    log: app.log,
    queue: app.queue,
    mailer: app.mailer,
    async health() {
      const database = await app.db.$queryRaw`select 1`.then(
        () => true,
        () => false,
      );
      return {
        database,
        jobs: opts.worker === false ? true : await app.jobs.healthy(),
        inbox: database ? await watcherHealth(app, startedAt) : { ok: false, down: [] },
      };
    },
  });
  try {
    if (opts.worker !== false) {
      await app.jobs.start();
      await ensureWatchers(app);
    }
    if (opts.http !== false) {
      await server.listen({ host: app.config.host, port: app.config.port });
      const { port } = server.server.address() as { port: number };
      if (app.database.embedded)
        endpoint = publishWorkerEndpoint(app.config.dataDir, { host: app.config.host, port });
    }
  } catch (error) {
    await server.close();
    await app.close();
    throw error;
  }
  const address = server.server.address();
  const url =
    typeof address === "object" && address
      ? `http://${app.config.host}:${address.port}`
      : app.config.publicBaseUrl;
  // Before "started": whoever waits for that line (a supervisor, the tests) may signal at once, and
  // the signal handlers are set only when start() returns; the first admin's scrypt takes a while.
  if (opts.http !== false) await announceConsole(app, (line) => process.stdout.write(line + "\n"));
  app.log.info("mailsteward started", {
    url,
    embedded: app.database.embedded,
    worker: opts.worker !== false,
    jobs: jobs.length,
  });
  return {
    app,
    url,
    async stop() {
      endpoint?.remove();
      await server.close();
      await app.close();
    },
  };
}

/**
 * A watched mailbox whose watcher's heartbeat is older than the job lock
 * lifetime is down (whichever worker should be watching it); for one lock
 * lifetime after start a watcher may still be on its way.
 */
async function watcherHealth(
  app: App,
  startedAt: number,
): Promise<{ ok: boolean; down: string[] }> {
  const down = (await inboxStatus(app)).filter((m) => !m.up).map((m) => m.mailbox);
  const settling = Date.now() - startedAt < app.config.jobLockLifetimeMs;
  return { ok: down.length === 0 || settling, down };
}

async function main(): Promise<void> {
  const running = await start({ purpose: "mailsteward start (worker and web server)" });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.app.log.info("stopping: no new jobs; running jobs finish their current step", {
      signal,
    });
    running.stop().then(
      () => process.exit(0),
      (error) => {
        running.app.log.error("stop failed", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(isAppError(error) ? `mailsteward: ${error.message}` : error);
    process.exit(1);
  });
}
