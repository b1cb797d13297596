// bench/send-campaign: messages per second of a real campaign send (personalised
// 5-article newsletter, DKIM RSA-2048, delivery ledger in PostgreSQL) to a
// loopback SMTP server in another process; peak RSS; and, in the same run, two
// references on the same server with the same pool size: the transport limit,
// one pre-built campaign message (same bytes, DKIM-signed once) written over our
// own SMTP sessions (raw-smtp-pool.ts) with no signing and no database; and the
// ceiling, nodemailer pooled sending of one pre-rendered message signed by
// nodemailer's DKIM per send.
//   tsx bench/send-campaign.ts [N=10000] [--pool 5] [--batch 200] [--ed25519] [--no-ceiling]
// --workers N instead sends the same campaign with 1 and then N worker processes
// (src/main.ts, sharing the database; shards of --shard contact ids) and prints
// each rate and the scaling ratio (see bench/send-workers.ts).
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";
import pg from "pg";
import net from "node:net";
import { smtpPoolOptions, smtpSettings } from "../src/adapters/mailer.ts";
import { createRawSmtpPool } from "../src/adapters/raw-smtp-pool.ts";
import { loadConfig } from "../src/config/load-config.ts";
import { openApp } from "../src/main.ts";
import { createCampaign } from "../src/newsletters/create-campaign.ts";
import { scheduleCampaign } from "../src/newsletters/schedule-campaign.ts";
import { sendCampaign } from "../src/newsletters/send-campaign.ts";
import { createCampaignRenderer } from "../src/newsletters/render-recipient-message.ts";
import { createTestDatabase } from "../test/support/database.ts";
import { benchWorkers } from "./send-workers.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
const poolIndex = args.indexOf("--pool");
const POOL = poolIndex >= 0 ? Number(args[poolIndex + 1]) : 5;
const batchIndex = args.indexOf("--batch");
const BATCH = batchIndex >= 0 ? args[batchIndex + 1]! : undefined;
const keyType = args.includes("--ed25519") ? "ed25519" : "rsa";
const MAX_MESSAGES = 100;

class SkipCeiling extends Error {}

async function frozenOf(campaignId: number) {
  const c = await app.db.campaign.findUniqueOrThrow({
    where: { id: campaignId },
    select: { frozenHtml: true, frozenText: true, frozenSubject: true },
  });
  return { subject: c.frozenSubject!, html: c.frozenHtml!, text: c.frozenText! };
}
/** one message of the campaign, for reader 1, signed by `mailer`'s DKIM signer (or not) */
async function renderOne(
  campaignId: number,
  mailer: Pick<typeof app.mailer, "dkim">,
  messageId: string,
) {
  const render = createCampaignRenderer(
    { config, mailer },
    { id: campaignId, lists: ["news"], frozen: await frozenOf(campaignId) },
  );
  const reader = {
    contactId: 1,
    email: "reader1@example.net",
    name: "Reader 1",
    company: "Company 1",
    lists: ["news"],
  };
  return render(reader, messageId, new Date());
}

/**
 * Sends `count` messages from `lanes` concurrent loops of `sendOne`; the rate,
 * the CPU report and the load average when it started.
 */
async function measureSends(count: number, lanes: number, sendOne: () => Promise<unknown>) {
  let started = 0;
  const load = loadAverage();
  const sinkBefore = (await sink.stats()).cpuMs;
  const cpuBefore = cpuSnapshot();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (started < count) {
        started++;
        await sendOne();
      }
    }),
  );
  const rate = count / ((performance.now() - t0) / 1000);
  const sinkMs = (await sink.stats()).cpuMs - sinkBefore;
  return { rate, load, cpu: cpuReport(cpuBefore, cpuSnapshot(), count, sinkMs) };
}

const rss = { peak: 0, samples: [] as number[] };
const sampler = setInterval(() => {
  const v = process.memoryUsage().rss;
  rss.peak = Math.max(rss.peak, v);
}, 50);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/**
 * CPU seconds spent so far by this process (all threads), by PostgreSQL's
 * processes, and by the whole machine (busy and total, from /proc/stat), so
 * each phase can say where its time went and whether the machine was shared.
 */
function cpuSnapshot() {
  const own = process.cpuUsage();
  const tick = 100; // USER_HZ on Linux
  const pg = new Map<string, number>();
  let busy = 0;
  let total = 0;
  let main = 0;
  try {
    // the sender's main thread alone (its task id is the process id)
    const f = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, "latin1");
    const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
    main = (Number(fields[11]) + Number(fields[12])) / tick;
  } catch {
    // not Linux
  }
  try {
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
        if (!/^\d+ \(postgres\)/.test(stat)) continue;
        // only the backends serving this benchmark's database (the machine may be shared)
        if (!fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").includes(` ${databaseName} `))
          continue;
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        pg.set(pid, (Number(f[11]) + Number(f[12])) / tick);
      } catch {
        // the process ended meanwhile
      }
    }
    const cpu = fs
      .readFileSync("/proc/stat", "latin1")
      .split("\n")[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    total = cpu.reduce((a, b) => a + b, 0) / tick;
    busy = total - (cpu[3]! + cpu[4]!) / tick;
  } catch {
    // not Linux: only this process's figure
  }
  return { own: (own.user + own.system) / 1e6, main, pg, busy, total };
}
function cpuReport(
  before: ReturnType<typeof cpuSnapshot>,
  after: ReturnType<typeof cpuSnapshot>,
  messages: number,
  sinkMs: number,
) {
  const per = (s: number) => `${((s * 1000) / messages).toFixed(2)} ms/msg`;
  const seconds = after.total - before.total;
  const machine =
    seconds > 0
      ? `machine ${(((after.busy - before.busy) / seconds) * 100).toFixed(0)}% busy of ${os.cpus().length} cores`
      : "";
  // per backend, counting only backends alive at the end (one that closed meanwhile took its figure with it)
  let pg = 0;
  for (const [pid, t] of after.pg) pg += t - (before.pg.get(pid) ?? 0);
  return `CPU: sender ${per(after.own - before.own)} (main thread ${per(after.main - before.main)}), sink ${per(sinkMs / 1000)}, postgres ${per(pg)}; ${machine}`;
}

async function startSink(): Promise<{
  port: number;
  stats(): Promise<{ count: number; duplicates: number; cpuMs: number }>;
  stop(): Promise<void>;
}> {
  // node --cpu-prof on the bench profiles the sink too
  const profiling = process.execArgv.filter((a) => a.startsWith("--cpu-prof"));
  const child = spawn(
    process.execPath,
    [...profiling, "--import", "tsx", path.join(repoRoot, "test/support/smtp-sink-process.ts")],
    { cwd: repoRoot, stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on("line", (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const { port } = JSON.parse(await next()) as { port: number };
  return {
    port,
    async stats() {
      const answer = next();
      child.stdin!.write("stats\n");
      return JSON.parse(await answer);
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-send-"));
const keys =
  keyType === "rsa"
    ? crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
    : crypto.generateKeyPairSync("ed25519");
const keyFile = path.join(dir, "dkim.pem");
fs.writeFileSync(keyFile, keys.privateKey.export({ type: "pkcs8", format: "pem" }));

const database = await createTestDatabase();
const sink = await startSink();
const benchEnv: Record<string, string> = {
  DATABASE_URL: database.url,
  SIGNING_KEYS: "k1:" + crypto.randomBytes(32).toString("base64"),
  SUPPRESSION_KEY: crypto.randomBytes(32).toString("base64"),
  SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
  SMTP_POOL_SIZE: String(POOL),
  SMTP_MAX_MESSAGES: String(MAX_MESSAGES),
  ...(BATCH ? { SEND_BATCH_SIZE: BATCH } : {}),
  MAIL_FROM: "Example News <news@example.com>",
  POSTAL_ADDRESS: "Example Ltd, 1 Main Street, 1000 Town",
  PUBLIC_BASE_URL: "https://news.example.com",
  DKIM_DOMAIN: "example.com",
  DKIM_SELECTOR: "news",
  DKIM_PRIVATE_KEY_FILE: keyFile,
  LOG_LEVEL: "warn",
};
const config = loadConfig(benchEnv);
const databaseName = new URL(database.url).pathname.slice(1);
const app = await openApp({ purpose: "bench", config });
const db = new pg.Pool({ connectionString: database.url, max: 2 });

try {
  const seedStart = Date.now();
  await db.query(`INSERT INTO lists (slug, name) VALUES ('news', 'News')`);
  await db.query(
    `INSERT INTO contacts (email, name, company, updated_at)
     SELECT 'reader' || g || '@d' || (g % 50) || '.example.net', 'Reader ' || g, 'Company ' || (g % 100), now() FROM generate_series(1, $1::int) g`,
    [N],
  );
  await db.query(
    `INSERT INTO subscriptions (contact_id, list_id, status, confirmed_at, updated_at) SELECT id, (SELECT id FROM lists WHERE slug = 'news'), 'subscribed', now(), now() FROM contacts`,
  );
  await db.query("ANALYZE");
  console.log(
    `seeded ${N} contacts in ${Date.now() - seedStart} ms; pool ${POOL}, DKIM ${keyType}, batch ${config.sendBatchSize}`,
  );

  const content = {
    intro: "What happened this month at Example, in five short stories.",
    articles: [1, 2, 3, 4, 5].map((n) => ({
      title: `Story number ${n}: something worth reading`,
      body: `This is the body of story ${n}. `.repeat(25),
      url: `https://example.com/stories/${n}`,
    })),
  };
  await createCampaign(
    { db: app.db },
    { slug: "bench", template: "monthly", subject: "News for {{name}}", lists: ["news"], content },
  );
  if (args.includes("--workers")) {
    await benchWorkers({ app, env: benchEnv, n: N, content }, args);
    throw new SkipCeiling();
  }
  const { id } = await scheduleCampaign(app, { slug: "bench" });

  {
    const one = await renderOne(id, app.mailer, "sample@example.com");
    console.log(
      `one message: ${one.raw.length} bytes (html ${one.personalised.html.length} chars, text ${one.personalised.text.length} chars)`,
    );
  }
  rss.peak = process.memoryUsage().rss;
  const sinkBefore = (await sink.stats()).cpuMs;
  const cpuBefore = cpuSnapshot();
  const campaignLoad = loadAverage();
  const transactions = async () =>
    (
      await db.query<{ n: string }>(
        `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`,
      )
    ).rows[0]!.n;
  const transactionsBefore = Number(await transactions());
  console.log(`load average before the campaign: ${campaignLoad}; RSS ${mb(rss.peak)}`);
  const started = performance.now();
  const stop = await sendCampaign(
    { ...app, touch: async () => {}, signal: new AbortController().signal },
    id,
  );
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT status::text, count(*)::int n FROM deliveries WHERE campaign_id = $1 GROUP BY 1`,
    [id],
  );
  const stats = await sink.stats();
  // statistics reach pg_stat_database within about half a second (stats_fetch_consistency aside)
  await new Promise((r) => setTimeout(r, 700));
  await db.query("SELECT pg_stat_clear_snapshot()");
  const perMessage = (Number(await transactions()) - transactionsBefore) / N;
  const campaignCpu = cpuReport(cpuBefore, cpuSnapshot(), N, stats.cpuMs - sinkBefore);
  const campaignRate = N / seconds;
  const campaignPeak = rss.peak;
  console.log(
    `campaign: ${stop}; ${N} messages in ${seconds.toFixed(2)} s = ${campaignRate.toFixed(0)} msg/s; ledger ${JSON.stringify(Object.fromEntries(rows.map((r) => [r.status, r.n])))}; sink ${stats.count} received, ${stats.duplicates} duplicates; peak RSS ${mb(campaignPeak)}`,
  );
  console.log(`${campaignCpu}; ${perMessage.toFixed(2)} database transactions per message`);

  if (args.includes("--no-ceiling")) throw new SkipCeiling();

  // The transport limit: one campaign message, built and DKIM-signed once (so
  // exactly the campaign's size), written M times over our own SMTP sessions
  // with the campaign's pool size: no rendering, signing or database.
  const prebuilt = await renderOne(id, app.mailer, "transport@example.com");
  const settings = smtpSettings(config.smtp!);
  const rawPool = createRawSmtpPool({
    secure: false,
    size: POOL,
    maxMessages: MAX_MESSAGES,
    connect: () =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect({ host: settings.host, port: settings.port, noDelay: true });
        socket.once("error", reject);
        socket.once("connect", () => {
          socket.off("error", reject);
          resolve(socket);
        });
      }),
  });
  const T = Math.min(N, 10_000);
  const transport = await measureSends(T, POOL, () =>
    rawPool.send({ from: "news@example.com", to: ["reader1@example.net"] }, prebuilt.raw),
  );
  rawPool.close();
  console.log(
    `transport limit (our SMTP sessions, one pre-built ${prebuilt.raw.length}-byte message, no signing, no database; load ${transport.load}): ${T} messages = ${transport.rate.toFixed(0)} msg/s; campaign/limit ${(campaignRate / transport.rate).toFixed(2)}`,
  );
  console.log(transport.cpu);

  // The ceiling: one pre-rendered message (this newsletter, personalised once,
  // MIME built once, unsigned), sent M times through nodemailer's pool with
  // nodemailer's own DKIM signing (same key, so each send is hashed and signed
  // again), and no database: what the transport alone does on this machine.
  const unsigned = await renderOne(id, { dkim: undefined }, "ceiling@example.com");
  const nodemailerPool = nodemailer.createTransport({
    ...smtpPoolOptions(config.smtp!),
    dkim: {
      domainName: "example.com",
      keySelector: "news",
      privateKey: fs.readFileSync(keyFile, "utf8"),
    },
  });
  const M = Math.min(N, 5_000);
  const ceiling = await measureSends(M, POOL * 2, () =>
    nodemailerPool.sendMail({
      envelope: { from: "news@example.com", to: ["reader1@example.net"] },
      raw: unsigned.raw,
    }),
  );
  nodemailerPool.close();
  console.log(
    `ceiling (nodemailer pool, one pre-rendered ${unsigned.raw.length}-byte message, nodemailer DKIM ${keyType}; load ${ceiling.load}): ${M} messages = ${ceiling.rate.toFixed(0)} msg/s`,
  );
  console.log(ceiling.cpu);
  console.log(
    JSON.stringify({
      n: N,
      pool: POOL,
      dkim: keyType,
      messagesPerSecond: Math.round(campaignRate),
      transportLimitPerSecond: Math.round(transport.rate),
      ratioToTransportLimit: Number((campaignRate / transport.rate).toFixed(2)),
      ceilingPerSecond: Math.round(ceiling.rate),
      ratio: Number((campaignRate / ceiling.rate).toFixed(2)),
      peakRssMb: Math.round(campaignPeak / 1024 / 1024),
      loadAverage: { campaign: campaignLoad, transport: transport.load, ceiling: ceiling.load },
    }),
  );
} catch (error) {
  if (!(error instanceof SkipCeiling)) throw error;
} finally {
  clearInterval(sampler);
  await app.close();
  await db.end();
  await sink.stop();
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}
