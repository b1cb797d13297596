import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";

export interface ContactTable {
  /** quoted, as regclass prints it */
  table: string;
  /** unquoted, for display and export */
  name: string;
  /** quoted */
  column: string;
  /** keeps its rows after erasure, with only the keyed hash (privacy_requests) */
  outlivesPerson: boolean;
  /** a foreign key with ON DELETE CASCADE: deleting the contact removes the rows already */
  cascades: boolean;
}

/** Tables that refer to a person and outlive them (keeping only the keyed hash). */
const OUTLIVES_PERSON = new Set(["privacy_requests"]);

let cached: Promise<ContactTable[]> | undefined;
let cachedFor: Db | undefined;

/**
 * Every (table, column) that points at a contact, from the catalog: single-
 * column foreign keys to contacts, and columns named contact_id without one.
 * Erasure deletes from them and the export reads them, so a table added by a
 * later migration is covered by both without editing either. Read once per
 * client (the schema changes only by migration, between deployments).
 */
export function findContactTables(db: Db): Promise<ContactTable[]> {
  if (cached && cachedFor === db) return cached;
  cachedFor = db;
  cached = db
    .$queryRaw<{ table: string; name: string; column: string; cascades: boolean }[]>(
      Prisma.sql`
      SELECT t.relid::regclass::text AS table, k.relname::text AS name,
             quote_ident(t.attname) AS column, bool_or(t.cascades) AS cascades FROM (
        SELECT c.conrelid AS relid, a.attname, c.confdeltype = 'c' AS cascades
          FROM pg_constraint AS c
          JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.confrelid = 'contacts'::regclass AND cardinality(c.conkey) = 1
        UNION
        SELECT a.attrelid, a.attname, false
          FROM pg_attribute AS a
          JOIN pg_class AS k ON k.oid = a.attrelid AND k.relkind IN ('r', 'p')
          JOIN pg_namespace AS n ON n.oid = k.relnamespace AND n.nspname = current_schema()
         WHERE a.attname = 'contact_id' AND NOT a.attisdropped AND a.attrelid <> 'contacts'::regclass
      ) AS t JOIN pg_class AS k ON k.oid = t.relid
      GROUP BY 1, 2, 3
      ORDER BY 1, 3`,
    )
    .then((rows) => rows.map((r) => ({ ...r, outlivesPerson: OUTLIVES_PERSON.has(r.name) })))
    .catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
  return cached;
}

export interface AddressColumn {
  /** quoted, as regclass prints it */
  table: string;
  /** quoted */
  column: string;
  /** text[] (to_addresses) rather than text */
  array: boolean;
}

let cachedAddresses: Promise<AddressColumn[]> | undefined;
let cachedAddressesFor: Db | undefined;

/**
 * Columns that hold a person's address outside the contact row, found by
 * name from the catalog: `email`, `from_address` (text) and `to_addresses`
 * (text[]), in any table but contacts and employees (an employee is not a
 * contact). Rows there may carry the address without a contact_id (a sign-up
 * request never confirmed, a reply from an address not on file); erasure
 * deletes them by address.
 */
export function findAddressColumns(db: Db): Promise<AddressColumn[]> {
  if (cachedAddresses && cachedAddressesFor === db) return cachedAddresses;
  cachedAddressesFor = db;
  cachedAddresses = db
    .$queryRaw<AddressColumn[]>(
      Prisma.sql`
      SELECT a.attrelid::regclass::text AS table, quote_ident(a.attname) AS column,
             t.typcategory = 'A' AS array
        FROM pg_attribute AS a
        JOIN pg_class AS k ON k.oid = a.attrelid AND k.relkind IN ('r', 'p')
        JOIN pg_namespace AS n ON n.oid = k.relnamespace AND n.nspname = current_schema()
        JOIN pg_type AS t ON t.oid = a.atttypid
       WHERE a.attname IN ('email', 'from_address', 'to_addresses') AND NOT a.attisdropped
         AND k.relname NOT IN ('contacts', 'employees')
         AND (t.typname = 'text' OR t.typname = '_text')
       ORDER BY 1, 2`,
    )
    .catch((error: unknown) => {
      cachedAddresses = undefined;
      throw error;
    });
  return cachedAddresses;
}
