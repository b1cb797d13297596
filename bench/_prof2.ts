import { openApp } from "../src/main.ts";
import { testConfig } from "../test/support/app-config.ts";
import { createTestDatabase } from "../test/support/database.ts";
const d = await createTestDatabase();
const config = testConfig({ DATABASE_URL: d.url });
const app = await openApp({ purpose: "p", config });
const db = app.db;
await db.$executeRaw`INSERT INTO contacts (email, updated_at) SELECT 'b'||g||'@x.test', now() FROM generate_series(1,3000) g`;
async function time(label: string, n: number, f: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 50; i++) await f(i);
  const t = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  console.log(label, ((performance.now() - t) / n).toFixed(3), "ms/op");
}
await time("pg select 1", 1000, () => app.database.pool.query("select 1"));
await time("pg select contact", 1000, (i) => app.database.pool.query("select id from contacts where id=$1", [i + 1]));
await time("prisma select 1 raw", 1000, () => db.$queryRaw`select 1`);
await time("findUnique same id", 1000, () => db.contact.findUnique({ where: { id: 5 }, select: { id: true } }));
await time("findUnique diff id", 1000, (i) => db.contact.findUnique({ where: { id: i + 1 }, select: { id: true } }));
await time("count", 300, () => db.contact.count());
await app.close(); await d.drop();
