/**
 * One-click unsubscribe under load: the real server on real PostgreSQL, hit by
 * an open-loop load generator in a separate process at a fixed rate, each
 * request with its own valid token (so each one writes: status change, consent
 * event, audit entry).
 *
 *   npx tsx bench/unsubscribe.ts [--rate 1000] [--seconds 10] [--contacts 20000]
 *
 * Uses DATABASE_URL if set (it must be an empty, migrated database), otherwise
 * a fresh clone from the test harness (PostgreSQL on 127.0.0.1:5432).
 * Goal: p99 < 20 ms at 1,000 requests/s.
 *
 * Latency is reported twice: from the moment each request was sent, and from
 * the moment it was due by the schedule (which also counts any time the
 * generator fell behind, so it cannot hide stalls: no coordinated omission).
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

interface LoadPlan {
  url: string;
  tokens: string[];
  rate: number;
}

interface LoadResult {
  sent: number;
  statuses: Record<string, number>;
  errors: number;
  elapsedMs: number;
  fromSend: number[];
  fromSchedule: number[];
}

if (process.argv.includes("--load-generator")) {
  process.once("message", (plan: LoadPlan) => {
    void generateLoad(plan).then((result) => process.send!(result, () => process.exit(0)));
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: "string", default: "1000" },
      seconds: { type: "string", default: "10" },
      contacts: { type: "string", default: "20000" },
      warmup: { type: "string", default: "2" },
      "in-flight": { type: "string", default: "2" },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);
  const contacts = Number(values.contacts);
  const needed = Math.ceil(rate * (seconds + warmup));
  if (needed > contacts)
    throw new Error(`--contacts ${contacts} is too few for ${needed} distinct tokens; raise it`);

  const { createServer } = await import("../src/http/create-server.ts");
  const { openApp } = await import("../src/main.ts");
  const { signToken } = await import("../src/unsubscribe/tokens.ts");
  const { createUnsubscribeQueue } = await import("../src/unsubscribe/unsubscribe-queue.ts");
  const { testConfig } = await import("../test/support/app-config.ts");

  let drop = async () => {};
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const { createTestDatabase, ensureTemplate } = await import("../test/support/database.ts");
    await ensureTemplate();
    const database = await createTestDatabase();
    databaseUrl = database.url;
    drop = () => database.drop();
  }
  const config = testConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" });
  const app = await openApp({ purpose: "bench unsubscribe", config });
  let batches: Array<{ size: number; ms: number }> = [];
  const server = createServer({
    db: app.db,
    config,
    clock: app.clock,
    log: app.log,
    queue: app.queue,
    health: async () => ({ database: true, jobs: true }),
    unsubscribeQueue: createUnsubscribeQueue(app, {
      maxInFlight: Number(values["in-flight"]),
      onBatch: (size, ms) => batches.push({ size, ms }),
    }),
  });
  try {
    process.stdout.write(`seeding ${contacts} contacts subscribed to "news" ... `);
    const t0 = performance.now();
    await seed(app.db, contacts);
    console.log(`${Math.round(performance.now() - t0)} ms`);
    const ids = (
      await app.db.contact.findMany({ select: { id: true }, orderBy: { id: "asc" } })
    ).map((c) => c.id);
    const tokens = ids
      .slice(0, needed)
      .map((contactId) =>
        signToken(config.signingKeys, { contactId, list: "news", purpose: "unsubscribe" }),
      );

    await server.listen({ host: "127.0.0.1", port: 0 });
    const address = server.server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

    const warmTokens = tokens.slice(0, Math.ceil(rate * warmup));
    const runTokens = tokens.slice(warmTokens.length);
    if (warmTokens.length > 0) {
      console.log(`warm-up: ${warmTokens.length} requests at ${rate}/s`);
      await runGenerator({ url, tokens: warmTokens, rate });
    }
    const before = await counts(app.db);
    batches = [];
    const backends = await backendPids(app.db);
    const pgCpu0 = cpuTicks(backends);
    const cpu0 = process.cpuUsage();
    console.log(
      `measuring: ${runTokens.length} one-click POSTs at ${rate}/s from a separate process`,
    );
    const result = await runGenerator({ url, tokens: runTokens, rate });
    const cpu = process.cpuUsage(cpu0);
    const pgCpuMs = ((cpuTicks(backends) - pgCpu0) * 1000) / 100;
    const after = await counts(app.db);
    report(result, rate);
    const sizes = batches.map((b) => b.size).sort((a, b) => a - b);
    const statementMs = batches.map((b) => b.ms).sort((a, b) => a - b);
    console.log(
      `group commit: ${batches.length} statements, batch size p50 ${percentile(sizes, 50)} p99 ${percentile(sizes, 99)} max ${sizes.at(-1)}; statement time p50 ${percentile(statementMs, 50).toFixed(2)} ms p99 ${percentile(statementMs, 99).toFixed(2)} ms`,
    );
    const perRequest = (ms: number) => (ms / result.sent).toFixed(3);
    console.log(
      `CPU per request: server process ${perRequest((cpu.user + cpu.system) / 1000)} ms, PostgreSQL backends ${perRequest(pgCpuMs)} ms (${backends.length} connections); load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} on ${os.cpus().length} cores`,
    );
    console.log(
      `database: ${after.unsubscribed - before.unsubscribed} subscriptions newly unsubscribed, ${after.consent - before.consent} consent events, ${after.audit - before.audit} audit entries`,
    );
    const ok = result.statuses["200"] ?? 0;
    if (after.unsubscribed - before.unsubscribed !== ok)
      console.log(
        `MISMATCH: ${ok} answered 200 but ${after.unsubscribed - before.unsubscribed} changed`,
      );
  } finally {
    await server.close();
    await app.close();
    await drop();
  }
}

/** Bulk seeding in SQL: 20k rows through the ORM would take longer than the run. */
async function seed(db: import("../src/types.ts").Db, n: number): Promise<void> {
  await db.$executeRaw`INSERT INTO lists (slug, name) VALUES ('news', 'Company News')`;
  await db.$executeRaw`
    INSERT INTO contacts (email, name, updated_at)
    SELECT 'bench' || g || '@example.test', 'Bench ' || g, now() FROM generate_series(1, ${n}::int) AS g`;
  await db.$executeRaw`
    INSERT INTO subscriptions (contact_id, list_id, status, confirmed_at, source, updated_at)
    SELECT c.id, l.id, 'subscribed', now(), 'bench', now() FROM contacts c CROSS JOIN lists l`;
  await db.$executeRaw`ANALYZE`;
}

/** The server processes serving our database: their CPU is the database's share of each request. */
async function backendPids(db: import("../src/types.ts").Db): Promise<number[]> {
  const rows = await db.$queryRaw<
    { pid: number }[]
  >`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
  return rows.map((r) => r.pid);
}

/** utime + stime in clock ticks (USER_HZ, 100 on Linux) from /proc; 0 where unreadable. */
function cpuTicks(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the backend exited, or PostgreSQL runs elsewhere
    }
  }
  return total;
}

async function counts(db: import("../src/types.ts").Db) {
  const [unsubscribed, consent, audit] = await Promise.all([
    db.subscription.count({ where: { status: "unsubscribed" } }),
    db.consentEvent.count(),
    db.auditEntry.count(),
  ]);
  return { unsubscribed, consent, audit };
}

function runGenerator(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--load-generator"], {
      execArgv: process.execArgv,
      stdio: "inherit",
    });
    child.once("message", (result) => resolve(result as LoadResult));
    child.once("error", reject);
    child.once(
      "exit",
      (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)),
    );
    child.send(plan);
  });
}

/** Open loop: request i is due at start + i/rate, sent then whatever earlier ones are doing. */
async function generateLoad(plan: LoadPlan): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(plan.url);
  const body = "List-Unsubscribe=One-Click";
  const result: LoadResult = {
    sent: 0,
    statuses: {},
    errors: 0,
    elapsedMs: 0,
    fromSend: [],
    fromSchedule: [],
  };
  const start = performance.now();
  const interval = 1000 / plan.rate;
  let pending = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));

  const fire = (token: string, due: number) => {
    const sentAt = performance.now();
    pending++;
    result.sent++;
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: "POST",
        path: `/u/${token}`,
        agent,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => {
          const now = performance.now();
          const key = String(response.statusCode);
          result.statuses[key] = (result.statuses[key] ?? 0) + 1;
          result.fromSend.push(now - sentAt);
          result.fromSchedule.push(now - due);
          settle();
        });
      },
    );
    request.on("error", () => {
      result.errors++;
      settle();
    });
    request.end(body);
  };
  const settle = () => {
    pending--;
    if (pending === 0 && result.sent === plan.tokens.length) done();
  };

  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < plan.tokens.length && start + next * interval <= now) {
        fire(plan.tokens[next]!, start + next * interval);
        next++;
      }
      if (next < plan.tokens.length)
        setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  await finished;
  result.elapsedMs = performance.now() - start;
  agent.destroy();
  return result;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function report(result: LoadResult, rate: number): void {
  const line = (label: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const f = (v: number) => v.toFixed(2).padStart(7);
    console.log(
      `  ${label.padEnd(22)} p50 ${f(percentile(sorted, 50))} ms   p95 ${f(percentile(sorted, 95))} ms   p99 ${f(percentile(sorted, 99))} ms   max ${f(sorted.at(-1) ?? NaN)} ms`,
    );
  };
  const achieved = (result.sent / result.elapsedMs) * 1000;
  const non200 = Object.entries(result.statuses)
    .filter(([s]) => s !== "200")
    .reduce((n, [, c]) => n + c, 0);
  console.log(
    `requests: ${result.sent} in ${(result.elapsedMs / 1000).toFixed(2)} s = ${achieved.toFixed(0)} req/s (target ${rate}/s)`,
  );
  console.log(
    `statuses: ${JSON.stringify(result.statuses)}; transport errors: ${result.errors}; non-200: ${non200}`,
  );
  line("latency from send", result.fromSend);
  line("latency from schedule", result.fromSchedule);
  const p99 = percentile(
    [...result.fromSend].sort((a, b) => a - b),
    99,
  );
  console.log(
    p99 < 20 && result.errors === 0 && non200 === 0
      ? `goal met: p99 ${p99.toFixed(2)} ms < 20 ms`
      : `goal NOT met (p99 ${p99.toFixed(2)} ms, errors ${result.errors + non200})`,
  );
}
