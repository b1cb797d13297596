/**
 * The `Sql` port (types.ts) on the pg pool Prisma's adapter also uses.
 *
 * Each distinct statement text becomes a named prepared statement, so
 * PostgreSQL parses and plans it once per connection instead of once per
 * call: these statements run for every message or batch of a campaign, and
 * on a machine the database shares, its CPU is the sender's too. The texts
 * are constants in the code (values are bound), so the names stay few.
 */
import crypto from "node:crypto";
import type pg from "pg";
import type { Sql } from "../types.ts";

export function createPoolSql(pool: pg.Pool): Sql {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `ms_${crypto.createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async query<R>(text: string, values: readonly unknown[]) {
      const result = await pool.query({ name: nameOf(text), text, values: [...values] });
      return result.rows as R[];
    },
  };
}
