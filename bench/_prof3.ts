import { openApp } from "../src/main.ts";
import { testConfig } from "../test/support/app-config.ts";
import { createTestDatabase } from "../test/support/database.ts";
import { unsubscribeContact } from "../src/unsubscribe/unsubscribe-contact.ts";
import { verifyToken, signToken } from "../src/unsubscribe/tokens.ts";
const d = await createTestDatabase();
const config = testConfig({ DATABASE_URL: d.url });
const app = await openApp({ purpose: "p", config });
const db = app.db;
await db.$executeRaw`INSERT INTO lists (slug, name) VALUES ('news', 'News')`;
await db.$executeRaw`INSERT INTO contacts (email, updated_at) SELECT 'b'||g||'@x.test', now() FROM generate_series(1,6000) g`;
await db.$executeRaw`INSERT INTO subscriptions (contact_id, list_id, status, updated_at) SELECT c.id, l.id, 'subscribed', now() FROM contacts c, lists l`;
const ids = (await db.contact.findMany({ select: { id: true } })).map(c => c.id);
async function time(label: string, n: number, f: (i: number) => Promise<unknown>) {
  const c0 = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  const c = process.cpuUsage(c0);
  console.log(label, ((performance.now() - t) / n).toFixed(3), "ms/op wall", ((c.user + c.system) / 1000 / n).toFixed(3), "ms/op cpu");
}
const tok = signToken(config.signingKeys, { contactId: 1, list: "news", purpose: "unsubscribe" });
await time("verifyToken", 5000, async () => verifyToken(config.signingKeys, tok, "unsubscribe"));
await time("pg select 1", 2000, () => app.database.pool.query("select 1"));
await time("prisma raw select 1", 2000, () => db.$queryRaw`select 1`);
await time("unsubscribeContact seq", 2000, (i) => unsubscribeContact({ db, clock: app.clock }, { contactId: ids[i]!, list: "news", source: "x", evidence: { method: "one-click", ip: "127.0.0.1", userAgent: "x" } }));
const c0 = process.cpuUsage(); const t = performance.now();
for (let k = 0; k < 4; k++) await Promise.all(ids.slice(2000 + k * 1000, 3000 + k * 1000).map((id) => unsubscribeContact({ db, clock: app.clock }, { contactId: id, list: "news", source: "x", evidence: { method: "one-click" } })));
const c = process.cpuUsage(c0);
console.log("4000 in batches of 1000 concurrent", (performance.now() - t).toFixed(0), "ms wall", ((c.user + c.system) / 1000 / 4000).toFixed(3), "ms cpu/op");
await app.close(); await d.drop();
