/**
 * What the web server's routes are handed: the public pages, the admin API and
 * the console all take these, so this sits on its own where they import it
 * and create-server.ts imports them (the arrows point one way).
 */
import type { Config } from "../config/load-config.ts";
import type { JobQueue } from "../jobs.ts";
import type { Clock, Db, Logger, Mailer, Sql } from "../types.ts";
import type { UnsubscribeQueue } from "../unsubscribe/unsubscribe-queue.ts";
import type { CliFrame, CliRequest } from "../cli/cli-protocol.ts";

export interface HttpDeps {
  db: Db;
  /** the plain-SQL path on the pg pool (see Sql), for the one-click unsubscribe's statement */
  sql?: Sql;
  config: Config;
  clock: Clock;
  log: Logger;
  queue: JobQueue;
  /** whether the database and the job runner answer */
  health(): Promise<{
    database: boolean;
    jobs: boolean;
    /** watched mailboxes whose watcher is down (issue 8); absent: not watching */
    inbox?: { ok: boolean; down: string[] };
  }>;
  /** for routes that send mail directly (the double opt-in confirmation); jobs get theirs from the runner */
  mailer?: Mailer;
  /** POST /subscribe per client IP: a token bucket (default 10, refilling 1 every 6 s) */
  subscribeRateLimit?: { capacity: number; refillPerSecond: number };
  /** the group-commit queue for unsubscribes; one is made if absent (a benchmark passes its own to observe batches) */
  unsubscribeQueue?: UnsubscribeQueue;
  /** embedded default: POST /api/cli runs a CLI command started beside this worker */
  cli?: CliRunner;
}

/** What main.ts hands in on the embedded default: runs CLI command lines in this worker. */
export interface CliRunner {
  /** DATA_DIR/run/worker.json's key, once published */
  key(): string | undefined;
  run(
    request: CliRequest,
    io: { send(frame: CliFrame): void; signal: AbortSignal },
  ): Promise<number>;
}
