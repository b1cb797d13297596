// npm run db:new-migration -- NAME
// Writes prisma/migrations/<timestamp>_<NAME>/migration.sql with the SQL that
// takes the committed migrations to prisma/schema.prisma. `prisma migrate dev`
// cannot do this here: Prisma 6.19's wasm schema engine stops in
// EvaluateDataLoss ("PostgreSQL shadow DB must be provided through an external
// factory"), while `migrate diff --from-migrations` builds the same shadow
// database through our adapter and works.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error(
    `usage: npm run db:new-migration -- NAME (lower-case letters, digits and _; got ${JSON.stringify(name ?? "")})`,
  );
  process.exit(2);
}
const sql = execFileSync(
  process.execPath,
  [
    "node_modules/prisma/build/index.js",
    "migrate",
    "diff",
    "--from-migrations",
    "prisma/migrations",
    "--to-schema-datamodel",
    "prisma/schema.prisma",
    "--script",
  ],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (!/\S/.test(sql.replace(/^--.*$/gm, ""))) {
  console.log("schema.prisma matches the committed migrations; nothing to write");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join("prisma", "migrations", `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "migration.sql"), sql);
console.log(`wrote ${path.join(dir, "migration.sql")}; review it, then: npm run db:migrate`);
