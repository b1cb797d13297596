import type { Prisma } from "../generated/prisma/client.ts";
import type { Db, Sql } from "../types.ts";

/**
 * The plain-SQL path the worker was handed (the pg pool, see Sql), or, for a
 * context built without one (a test, a CLI command), the same statements
 * through Prisma's raw queries: same text, same bound values, only slower.
 */
export function sqlOf(deps: { db: Db; sql?: Sql | undefined }): Sql {
  if (deps.sql) return deps.sql;
  const db = deps.db;
  return {
    query: <R>(text: string, values: readonly unknown[]) =>
      db.$queryRawUnsafe<R[]>(text, ...values),
    transaction: (work) =>
      db.$transaction((tx) => work(txSql(tx)), { timeout: 120_000, maxWait: 30_000 }),
  };
}

/** The same statements on an interactive Prisma transaction's connection. */
export function txSql(tx: Prisma.TransactionClient): Sql {
  const sql: Sql = {
    query: <R>(text: string, values: readonly unknown[]) =>
      tx.$queryRawUnsafe<R[]>(text, ...values),
    transaction: (work) => work(sql),
  };
  return sql;
}
