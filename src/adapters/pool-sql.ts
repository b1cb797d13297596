/**
 * The `Sql` port (types.ts) on the pg pool Prisma's adapter also uses.
 *
 * Statements are unnamed, so PostgreSQL plans each one for its values and
 * the table as it is now. Named prepared statements were tried: after five
 * runs PostgreSQL may keep a generic plan, and one made when a campaign's
 * delivery rows did not exist yet scanned the whole table for every claim
 * once they did (10 ms per UPDATE at 40,000 rows, growing with the campaign).
 */
import type pg from "pg";
import type { Sql } from "../types.ts";

export function createPoolSql(pool: pg.Pool): Sql {
  return {
    async query<R>(text: string, values: readonly unknown[]) {
      const result = await pool.query(text, [...values]);
      return result.rows as R[];
    },
  };
}
