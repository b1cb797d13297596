// queue.ensure after a run of the same key failed (or ended under another live run):
// the row is left with neither a lock nor a next run, and ensure must queue the job
// again instead of taking that row for "already queued" (the inbox watcher was lost
// this way after a SIGKILL under load, see inbox-kill.test.ts).
import { afterAll, beforeAll, expect, it } from "vitest";
import pg from "pg";
import { z } from "zod";
import { createJobRunner } from "../../src/adapters/job-runner.ts";
import { silentLogger } from "../../src/adapters/logger.ts";
import { defineJob } from "../../src/jobs.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { testConfig } from "../support/app-config.ts";

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it("ensure queues a keyed job again once its last run failed", async () => {
  let runs = 0;
  const job = defineJob({
    name: "test.keyed",
    payload: z.object({ key: z.string() }),
    async handler() {
      runs++;
      if (runs === 1) throw new Error("first run fails");
    },
  });
  const runner = createJobRunner({
    pool,
    embedded: false,
    lockLifetimeMs: 3000,
    concurrency: 2,
    processEvery: 200,
    jobs: [job],
    context: {
      db: undefined as never,
      mailer: undefined as never,
      clock: { now: () => new Date() },
      log: silentLogger,
      config: testConfig(),
    },
    log: silentLogger,
  });
  await runner.start();
  try {
    await runner.queue.ensure("test.keyed", { key: "a" });
    await until("the failed first run", async () => {
      const { rows } = await pool.query<{ n: number }>(
        "select count(*)::int as n from agenda_jobs where name = 'test.keyed' and fail_reason is not null and locked_at is null and next_run_at is null",
      );
      return rows[0]!.n === 1;
    });
    expect(runs).toBe(1);
    await runner.queue.ensure("test.keyed", { key: "a" });
    await until("a second run", () => runs === 2);
    const { rows } = await pool.query<{ n: number }>(
      "select count(*)::int as n from agenda_jobs where name = 'test.keyed'",
    );
    // the second run succeeded and was removed; the failed row was replaced, not kept beside it
    expect(rows[0]!.n).toBe(0);
  } finally {
    await runner.stop();
  }
});
