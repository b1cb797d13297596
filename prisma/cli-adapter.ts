// A driver adapter for the Prisma CLI only (migrate deploy/dev/status/diff).
// The runtime client uses stock @prisma/adapter-pg; this subclass mends three
// ways in which @prisma/adapter-pg 6.19 breaks the JavaScript schema engine:
//
// 1. The schema engine reads catalog columns of type `name` (OID 19) and
//    `"char"` (OID 18), which the adapter cannot map (prisma/prisma#27403).
//    `name` becomes text; `"char"` becomes the adapter's Character column
//    type, because the engine reads e.g. pg_constraint.contype as a char and
//    panics on text (seen with Agenda's CHECK constraint).
// 2. executeScript splits migration.sql on ";" and runs the pieces one by one,
//    so a failing migration stays half-applied, and any ";" inside a function
//    body or string breaks it. We send the script as ONE simple-protocol
//    query, which PostgreSQL runs as a single implicit transaction.
// 3. The shadow database for `migrate dev` is created through the main pool
//    and dropped while its own pool is still connected. We create it, connect,
//    and on dispose close the pool first and then drop the database.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

const TEXT_OID = 25;
const NAME_OID = 19;
const CHAR_OID = 18;
const CHARACTER_COLUMN = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils

// The adapter returns the pg result's `rows` array as is, so it is the key that
// carries which columns were "char" from the pool up to queryRaw's result.
const charColumnsOf = new WeakMap<object, number[]>();

class CatalogTextPool extends pg.Pool {
  // pg's overloads make a typed override awkward; the adapter always awaits
  // the promise form.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads above
  override query(...args: unknown[]): any {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (!(result instanceof Promise)) return result;
    return result.then((res: pg.QueryResult | pg.QueryResult[]) => {
      for (const r of Array.isArray(res) ? res : [res]) {
        const charColumns: number[] = [];
        (r?.fields ?? []).forEach((field, i) => {
          if (field.dataTypeID === CHAR_OID) charColumns.push(i);
          if (field.dataTypeID === CHAR_OID || field.dataTypeID === NAME_OID)
            field.dataTypeID = TEXT_OID;
        });
        if (charColumns.length > 0 && r.rows) charColumnsOf.set(r.rows, charColumns);
      }
      return res;
    });
  }
}

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;

type Queryable = Pick<Adapter, "queryRaw">;

function charColumnsAsCharacter<Q extends Queryable>(queryable: Q): Q {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumnsOf.get(result.rows) ?? []) {
      (result.columnTypes as number[])[i] = CHARACTER_COLUMN;
    }
    return result;
  };
  return queryable;
}

function mended(adapter: Adapter, pool: pg.Pool): Adapter {
  charColumnsAsCharacter(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolation) =>
    charColumnsAsCharacter(await startTransaction(isolation));
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

export class MigratePg extends PrismaPg {
  readonly #connectionString: string;

  constructor(connectionString: string) {
    const pool = new CatalogTextPool({ connectionString, max: 2, allowExitOnIdle: true });
    super(pool);
    this.#connectionString = connectionString;
  }

  override async connect(): Promise<Adapter> {
    const adapter = await super.connect();
    return mended(adapter, adapter.underlyingDriver() as pg.Pool);
  }

  override async connectToShadowDb(): Promise<Adapter> {
    const name = `prisma_shadow_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: this.#connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    const url = new URL(this.#connectionString);
    url.pathname = `/${name}`;
    const pool = new CatalogTextPool({
      connectionString: url.toString(),
      max: 2,
      allowExitOnIdle: true,
    });
    const shadow = await new PrismaPg(pool).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await pool.end();
      const cleanup = new pg.Client({ connectionString: this.#connectionString });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS "${name}"`);
      } finally {
        await cleanup.end();
      }
    };
    return mended(shadow, pool);
  }
}
