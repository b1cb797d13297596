// Retention figures: N contacts (default 1,000,000) of which 10% are due,
// seeded with generate_series: half of everyone has a subscription and a
// consent event, a fifth a delivery; the due ones are split between an
// expired dialogue and an unsubscribe more than two years old. Measures the
// dry run, then the daily job's pass that erases every due contact (one audit
// entry and one suppression hash each, bounded batches), and checks the
// outcome. Baseline, same run, on a clone of the same data: the bare batched
// DELETE of the same contacts (cascades and guards included, no decision, no
// hash, no suppression, no audit), the floor for what erasure costs.
// Run: npx tsx bench/retention.ts [N] [--batch B]
import pg from "pg";
import { createLogger } from "../src/adapters/logger.ts";
import { openApp } from "../src/main.ts";
import { applyRetention } from "../src/privacy/apply-retention.ts";
import { testConfig } from "../test/support/app-config.ts";
import { createTestDatabase, adminUrl, databaseUrl } from "../test/support/database.ts";

const args = process.argv.slice(2);
const batchArg = args.indexOf("--batch");
const batch = batchArg >= 0 ? Number(args[batchArg + 1]) : 500;
const n = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--batch") ?? 1_000_000);
const log = createLogger("warn");

async function seed(url: string): Promise<void> {
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    // Due: every 10th contact. Of those, odd tenths have an expired dialogue only,
    // even tenths an unsubscribe 30 months ago. Everyone else was in touch 100 days ago.
    await sql.query(`
      INSERT INTO lists (slug, name) VALUES ('news', 'News');
      INSERT INTO campaigns (slug, template, subject, status, updated_at) VALUES ('bench', 'monthly', 'Bench', 'sent', now());
      INSERT INTO contacts (email, name, phone, company, last_contact_at, created_at, updated_at)
      SELECT 'person' || g || '@bench' || (g % 97) || '.example', 'Person ' || g, '+45 ' || (10000000 + g),
             'Company ' || (g % 500),
             CASE WHEN g % 10 = 0 THEN now() - interval '37 months' ELSE now() - interval '100 days' END,
             now() - interval '4 years', now()
        FROM generate_series(1, ${n}) AS g;
      INSERT INTO subscriptions (contact_id, list_id, status, requested_at, confirmed_at, unsubscribed_at, updated_at)
      SELECT c.id, l.id,
             CASE WHEN c.id % 10 = 0 THEN 'unsubscribed' ELSE 'subscribed' END::"SubscriptionStatus",
             now() - interval '4 years', now() - interval '4 years',
             CASE WHEN c.id % 10 = 0 THEN now() - interval '30 months' END, now()
        FROM contacts AS c, lists AS l WHERE c.id % 2 = 0;
      INSERT INTO consent_events (contact_id, purpose, action, legal_basis, source, evidence, occurred_at)
      SELECT s.contact_id, 'newsletter:news', 'grant', 'consent', 'bench', '{"form": "bench"}', s.confirmed_at
        FROM subscriptions AS s;
      INSERT INTO deliveries (campaign_id, contact_id, message_id, status, attempts, response, sent_at, updated_at)
      SELECT k.id, c.id, 'bench.' || c.id || '@bench.example', 'sent', 1, '250 2.0.0 Ok', now() - interval '3 years', now()
        FROM contacts AS c, campaigns AS k WHERE c.id % 5 = 0;
      ANALYZE;`);
  } finally {
    await sql.end();
  }
}

async function count(url: string, q: string): Promise<number> {
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    return Number((await sql.query<{ n: string }>(q)).rows[0]!.n);
  } finally {
    await sql.end();
  }
}

const database = await createTestDatabase();
const cloneName = `${new URL(database.url).pathname.slice(1)}_baseline`;
try {
  let t = performance.now();
  await seed(database.url);
  const seedS = (performance.now() - t) / 1000;
  const due = await count(database.url, "SELECT count(*) AS n FROM contacts WHERE id % 10 = 0");
  // The baseline's copy, made before anything is erased.
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(
    `CREATE DATABASE "${cloneName}" TEMPLATE "${new URL(database.url).pathname.slice(1)}"`,
  );
  await admin.end();

  const app = await openApp({
    purpose: "bench",
    config: testConfig({ DATABASE_URL: database.url, RETENTION_BATCH_SIZE: String(batch) }),
    log,
  });
  let dryS: number;
  let runS: number;
  let erased: number;
  try {
    t = performance.now();
    const dry = await applyRetention(app, { dryRun: true, actor: "bench" });
    dryS = (performance.now() - t) / 1000;
    if (dry.due !== due) throw new Error(`dry run found ${dry.due} due, expected ${due}`);

    let shown = 0;
    t = performance.now();
    const run = await applyRetention(app, {
      dryRun: false,
      actor: "bench",
      onProgress(p) {
        if (process.stderr.isTTY && p.erased - shown >= 10_000) {
          shown = p.erased;
          process.stderr.write(`\rerased ${p.erased}/${due}`);
        }
      },
    });
    runS = (performance.now() - t) / 1000;
    if (process.stderr.isTTY) process.stderr.write("\n");
    erased = run.erased;
  } finally {
    await app.close();
  }
  const left = await count(database.url, "SELECT count(*) AS n FROM contacts");
  const audits = await count(
    database.url,
    "SELECT count(*) AS n FROM audit_log WHERE action = 'contact.erased'",
  );
  const hashes = await count(
    database.url,
    "SELECT count(*) AS n FROM suppressions WHERE reason = 'erased'",
  );
  const orphans = await count(
    database.url,
    "SELECT (SELECT count(*) FROM subscriptions WHERE contact_id % 10 = 0) + (SELECT count(*) FROM consent_events WHERE contact_id % 10 = 0) + (SELECT count(*) FROM deliveries WHERE contact_id % 10 = 0) AS n",
  );
  if (erased !== due || left !== n - due || audits !== due || hashes !== due || orphans !== 0)
    throw new Error(
      `outcome wrong: erased ${erased}, left ${left}, audit ${audits}, hashes ${hashes}, rows left of erased ${orphans}`,
    );

  // Baseline: the same contacts deleted by id in batches of the same size, bare.
  const base = new pg.Client({ connectionString: databaseUrl(cloneName) });
  await base.connect();
  t = performance.now();
  for (let after = 0; ;) {
    const { rows } = await base.query<{ id: number }>(
      "SELECT id FROM contacts WHERE id > $1 AND id % 10 = 0 ORDER BY id LIMIT $2",
      [after, batch],
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    await base.query("BEGIN");
    await base.query("SELECT set_config('mailsteward.erasure', 'on', true)");
    await base.query("DELETE FROM contacts WHERE id = ANY($1::int[])", [rows.map((r) => r.id)]);
    await base.query("COMMIT");
  }
  const baseS = (performance.now() - t) / 1000;
  await base.end();

  console.log(
    `N = ${n} contacts, ${due} due (10%), batch ${batch}; seeded in ${seedS.toFixed(1)} s`,
  );
  console.log(`dry run:         ${dryS.toFixed(1)} s  (${Math.round(n / dryS)} contacts judged/s)`);
  console.log(
    `retention job:   ${runS.toFixed(1)} s  (${Math.round(due / runS)} erasures/s, each with audit entry and suppression hash; goal < 60 s at 1M)`,
  );
  console.log(
    `baseline:        ${baseS.toFixed(1)} s  bare batched DELETE of the same contacts (cascades, no decision/hash/audit)`,
  );
  console.log(
    `checked: ${left} contacts left, ${audits} audit entries, ${hashes} hashes, 0 rows of erased contacts`,
  );
} finally {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${cloneName}" WITH (FORCE)`);
  await admin.end();
  await database.drop();
}
