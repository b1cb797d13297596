import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { z } from "zod";
import { createJobRunner, type JobRunner } from "../../src/adapters/job-runner.ts";
import { silentLogger } from "../../src/adapters/logger.ts";
import { defineJob, type JobDefinition } from "../../src/jobs.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { testConfig } from "../support/app-config.ts";

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

function runner(jobs: JobDefinition[]): JobRunner {
  return createJobRunner({
    pool,
    embedded: false,
    lockLifetimeMs: 3000,
    concurrency: 4,
    processEvery: 200,
    jobs,
    context: {
      db: undefined as never,
      mailer: undefined as never,
      clock: { now: () => new Date() },
      log: silentLogger,
      config: testConfig(),
    },
    log: silentLogger,
  });
}

describe("job runner on PostgreSQL", () => {
  it("runs 100 jobs exactly once across two workers", async () => {
    const runs = new Map<number, number>();
    const job = defineJob({
      name: "test.count",
      payload: z.object({ n: z.number().int() }),
      concurrency: 4,
      async handler({ n }) {
        runs.set(n, (runs.get(n) ?? 0) + 1);
      },
    });
    const a = runner([job]);
    const b = runner([job]);
    await a.start();
    await b.start();
    for (let n = 0; n < 100; n++) await a.queue.now("test.count", { n });
    const deadline = Date.now() + 20_000;
    while (runs.size < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    await a.stop();
    await b.stop();
    expect(runs.size).toBe(100);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
  });

  it("on stop lets the running job finish its step, and takes no new jobs", async () => {
    const events: string[] = [];
    const job = defineJob({
      name: "test.slow",
      payload: z.object({ id: z.string() }),
      async handler({ id }, ctx) {
        events.push(`start ${id}`);
        while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 20));
        await ctx.touch();
        events.push(`end ${id}`);
      },
    });
    const worker = runner([job]);
    await worker.start();
    await worker.queue.now("test.slow", { id: "a" });
    const deadline = Date.now() + 10_000;
    while (!events.includes("start a") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const stopping = Date.now();
    await worker.stop(5000);
    // the running job ends at once on the abort signal; stop must not sit out its timeout
    expect(Date.now() - stopping).toBeLessThan(2000);
    expect(events).toEqual(["start a", "end a"]);
    const { rows } = await pool.query(
      "select count(*)::int as n from agenda_jobs where name = 'test.slow' and locked_at is not null",
    );
    expect(rows[0].n).toBe(0);
    expect(await worker.healthy()).toBe(false);
  });

  it("rejects a payload that does not match the job's schema, naming the field", async () => {
    const failures: string[] = [];
    const job = defineJob({
      name: "test.typed",
      payload: z.object({ campaignId: z.number().int() }),
      async handler() {},
    });
    const worker = createJobRunner({
      pool,
      embedded: false,
      lockLifetimeMs: 3000,
      concurrency: 1,
      processEvery: 200,
      jobs: [job],
      context: {
        db: undefined as never,
        mailer: undefined as never,
        clock: { now: () => new Date() },
        log: silentLogger,
        config: testConfig(),
      },
      log: { ...silentLogger, error: (_m, f) => failures.push(String(f?.error)) },
    });
    await worker.start();
    await worker.queue.now("test.typed", { campaignId: "seven" });
    const deadline = Date.now() + 10_000;
    while (failures.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await worker.stop();
    expect(failures[0]).toMatch(/job test.typed: bad payload: campaignId: /);
    await expect(worker.queue.now("test.nope", {})).rejects.toThrow(
      /unknown job "test.nope"; known jobs: test.typed/,
    );
  });
});
