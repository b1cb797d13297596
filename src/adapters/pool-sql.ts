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
    async transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await work(clientSql(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        // a connection that cannot even roll back is closed, not handed out again
        await client.query("ROLLBACK").catch((e: Error) => (broken = e));
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

function clientSql(client: pg.PoolClient): Sql {
  const sql: Sql = {
    async query<R>(text: string, values: readonly unknown[]) {
      const result = await client.query(text, [...values]);
      return result.rows as R[];
    },
    transaction: (work) => work(sql),
  };
  return sql;
}
