// The erasure-completeness scan: every column of every table in the database,
// found from information_schema (so a table added by a later migration is
// covered without editing any test), cast to text and searched
// case-insensitively for each needle.
import pg from "pg";

export interface Hit {
  table: string;
  column: string;
  count: number;
}

export async function findEverywhere(databaseUrl: string, needles: string[]): Promise<Hit[]> {
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows: columns } = await sql.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name
         FROM information_schema.columns AS c
         JOIN information_schema.tables AS t USING (table_schema, table_name)
        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
        ORDER BY 1, 2`,
    );
    const patterns = needles.map((n) => `%${n.replace(/[\\%_]/g, "\\$&")}%`);
    const hits: Hit[] = [];
    for (const { table_name, column_name } of columns) {
      const where = needles.map((_, i) => `"${column_name}"::text ILIKE $${i + 1}`).join(" OR ");
      const { rows } = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${table_name}" WHERE ${where}`,
        patterns,
      );
      if (rows[0]!.n > 0) hits.push({ table: table_name, column: column_name, count: rows[0]!.n });
    }
    return hits;
  } finally {
    await sql.end();
  }
}
