// Shared set-up for the campaign and delivery integration tests: a fresh
// PostgreSQL database, an app wired to a real SMTP sink, and a seeded audience.
import crypto from "node:crypto";
import pg from "pg";
import { loadConfig, type Config } from "../../src/config/load-config.ts";
import { openApp, type App } from "../../src/main.ts";
import { createCampaign } from "../../src/newsletters/create-campaign.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";

export const signingKey = "k1:" + Buffer.alloc(32, 7).toString("base64");
export const suppressionKey = "test-suppression-key-0123456789abcdef";

export function testEnv(
  url: string,
  smtpPort: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: url,
    SIGNING_KEYS: signingKey,
    SUPPRESSION_KEY: suppressionKey,
    ADMIN_TOKEN: "admin-token-0123456789abcdef",
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMTP_POOL_SIZE: "4",
    SEND_BATCH_SIZE: "50",
    JOB_LOCK_LIFETIME_SECONDS: "3",
    MAIL_FROM: "Example News <news@example.test>",
    POSTAL_ADDRESS: "Example Ltd, 1 Main Street, 1000 Town",
    PUBLIC_BASE_URL: "https://news.example.test",
    SEND_RETRY_DELAY_SECONDS: "1",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

export const content = {
  intro: "What happened this month.",
  articles: [1, 2, 3, 4, 5].map((n) => ({
    title: `Article ${n}`,
    body: `Body of article ${n}. `.repeat(20),
    url: `https://example.test/a/${n}`,
  })),
};

export interface World {
  database: TestDatabase;
  sink: SmtpSink;
  config: Config;
  app: App;
  pg: pg.Pool;
  close(): Promise<void>;
}

export async function openWorld(extra: Record<string, string> = {}): Promise<World> {
  const database = await createTestDatabase();
  const sink = await startSmtpSink();
  const config = loadConfig(testEnv(database.url, sink.port, extra));
  const app = await openApp({ purpose: "test", config });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  return {
    database,
    sink,
    config,
    app,
    pg: pool,
    async close() {
      await app.close();
      await pool.end();
      await sink.close();
      await database.drop();
    },
  };
}

/** Contacts user1..userN@example.test (ids ascending), subscribed to list `news`; returns their ids. */
export async function seedAudience(
  pool: pg.Pool,
  n: number,
  opts: { list?: string; domain?: string } = {},
): Promise<number[]> {
  const list = opts.list ?? "news";
  await pool.query(
    `INSERT INTO lists (slug, name, double_opt_in) VALUES ($1, $1, false) ON CONFLICT (slug) DO NOTHING`,
    [list],
  );
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO contacts (email, name, company, industry, product_interests, updated_at)
     SELECT 'user' || g || '-' || $2 || '@' || $3, 'User ' || g, 'Company ' || (g % 10), CASE WHEN g % 2 = 0 THEN 'retail' ELSE 'health' END, ARRAY['widgets'], now()
       FROM generate_series(1, $1::int) g
     RETURNING id`,
    [n, crypto.randomBytes(3).toString("hex"), opts.domain ?? "example.test"],
  );
  await pool.query(
    `INSERT INTO subscriptions (contact_id, list_id, status, confirmed_at, updated_at)
     SELECT c, (SELECT id FROM lists WHERE slug = $2), 'subscribed', now(), now() FROM unnest($1::int[]) c`,
    [rows.map((r) => r.id), list],
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

export async function newCampaign(
  app: App,
  slug: string,
  extra: { lists?: string[]; subject?: string } = {},
): Promise<number> {
  const { id } = await createCampaign(
    { db: app.db },
    {
      slug,
      template: "monthly",
      subject: extra.subject ?? "News for {{name}}",
      lists: extra.lists ?? ["news"],
      content,
    },
  );
  return id;
}

export async function waitForStatus(
  app: App,
  campaignId: number,
  statuses: string[],
  timeoutMs = 60_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const c = await app.db.campaign.findUnique({
      where: { id: campaignId },
      select: { status: true },
    });
    if (c && statuses.includes(c.status)) return c.status;
    if (Date.now() > until)
      throw new Error(
        `campaign ${campaignId} still ${c?.status} after ${timeoutMs} ms; expected ${statuses.join("/")}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function deliveryCounts(
  pool: pg.Pool,
  campaignId: number,
): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: number }>(
    `SELECT status::text, count(*)::int AS n FROM deliveries WHERE campaign_id = $1 GROUP BY 1`,
    [campaignId],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
