// CSV import figures: rows per second for generated files of 10k and 50k rows
// (half with consent, subscribed to a list), fresh and re-imported, on
// PostgreSQL. Each size runs in a new database cloned from the migrated template.
// Run: npx tsx bench/import-contacts.ts [rows ...]   (default 10000 50000)
import { createLogger } from "../src/adapters/logger.ts";
import { createList } from "../src/contacts/create-list.ts";
import { importContacts } from "../src/contacts/import-contacts.ts";
import { parseCsv } from "../src/contacts/parse-csv.ts";
import { openApp } from "../src/main.ts";
import { testConfig } from "../test/support/app-config.ts";
import { createTestDatabase } from "../test/support/database.ts";

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);

function generate(rows: number): string {
  const lines = [
    "email,name,phone,company,job_title,industry,product_interests,customer_status,last_contact_at,consent,consented_at,notes",
  ];
  for (let i = 0; i < rows; i++) {
    const consent = i % 2 === 0;
    lines.push(
      `person${i}@example${i % 97}.com,"Person ${i}, Jr",+45 ${10_000_000 + i},Company ${i % 500},Engineer,software,analytics;crm,prospect,2026-09-${String((i % 28) + 1).padStart(2, "0")},${consent ? "yes" : "no"},${consent ? "2026-10-01" : ""},"Met at ""booth"" ${i}"`,
    );
  }
  return lines.join("\r\n") + "\r\n";
}

const log = createLogger("warn");
console.log("rows    parse ms  fresh s  fresh rows/s  re-import s  re-import rows/s");
for (const rows of sizes.length > 0 ? sizes : [10_000, 50_000]) {
  const database = await createTestDatabase();
  const app = await openApp({
    purpose: "bench",
    config: testConfig({ DATABASE_URL: database.url }),
    log,
  });
  try {
    await createList({ db: app.db }, { slug: "news", name: "News" });
    const csv = Buffer.from(generate(rows));
    let t = performance.now();
    parseCsv(csv);
    const parseMs = performance.now() - t;
    const deps = { db: app.db, config: app.config, clock: app.clock, log };
    t = performance.now();
    const fresh = await importContacts(deps, {
      csv,
      list: "news",
      consentSource: "bench",
      actor: "bench",
    });
    const freshS = (performance.now() - t) / 1000;
    t = performance.now();
    const again = await importContacts(deps, {
      csv,
      list: "news",
      consentSource: "bench",
      actor: "bench",
    });
    const againS = (performance.now() - t) / 1000;
    if (
      fresh.imported !== rows ||
      fresh.subscribed !== Math.ceil(rows / 2) ||
      again.updated !== rows ||
      fresh.errors.length > 0
    ) {
      throw new Error(
        `unexpected counts: ${JSON.stringify({ fresh: { ...fresh, errors: fresh.errors.length }, again: { ...again, errors: again.errors.length } })}`,
      );
    }
    console.log(
      `${String(rows).padEnd(7)} ${parseMs.toFixed(0).padStart(8)}  ${freshS.toFixed(2).padStart(7)}  ${(rows / freshS).toFixed(0).padStart(12)}  ${againS.toFixed(2).padStart(11)}  ${(rows / againS).toFixed(0).padStart(16)}`,
    );
  } finally {
    await app.close();
    await database.drop();
  }
}
