/**
 * Guards invariant 7 (DESIGN.md): erasure removes the person everywhere and
 * leaves only a keyed hash in suppression; the audit entries refer to that
 * hash and hold no personal data.
 *
 * "Everywhere" is found from the catalog, not from a list kept by hand: every
 * table with a foreign key to contacts, or with a contact_id column, loses the
 * person's rows in the same transaction that deletes the contact. A table
 * added later is covered without editing this file (and the completeness test
 * scans every text column of every table to prove it). privacy_requests is the
 * one exception: a request outlives the person (its foreign key sets null and
 * it keeps only the keyed hash), as evidence that the request was fulfilled.
 * Rows that carry the address without pointing at the contact (columns named
 * email, from_address, to_addresses: an unconfirmed sign-up request, a reply
 * from an address not on file) are deleted by address.
 */
import type { Prisma } from "../generated/prisma/client.ts";
import { hashAddress } from "../consent/address-hash.ts";
import type { Clock, Db } from "../types.ts";
import { findAddressColumns, findContactTables } from "./find-contact-tables.ts";
import type { DbOrTx } from "./record-audit.ts";

export interface Erasure {
  contactId: number;
  /** why, for the audit entry: ids, rule names and dates only */
  why: Prisma.InputJsonObject;
}

export interface Erased {
  contactId: number;
  /** the keyed hash that stands for the person from now on */
  addressHash: string;
}

/**
 * Erases a batch of contacts in one transaction (callers keep batches small:
 * retention passes a few hundred at a time). Contacts already gone are
 * skipped. The consent ledger's delete guard lets the rows go only because
 * this transaction sets `mailsteward.erasure` (see the privacy migration).
 */
export async function eraseContacts(
  deps: { db: Db; config: { suppressionKey: string }; clock: Clock },
  input: { erasures: Erasure[]; actor: string; action?: string },
): Promise<Erased[]> {
  if (input.erasures.length === 0) return [];
  const now = deps.clock.now();
  // Cascading foreign keys go with the contact; the rest (no foreign key, or one that
  // restricts or sets null) are deleted explicitly first.
  const tables = (await findContactTables(deps.db)).filter((t) => !t.outlivesPerson && !t.cascades);
  const addressColumns = await findAddressColumns(deps.db);
  return deps.db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT set_config('mailsteward.erasure', 'on', true)`;
      const ids = input.erasures.map((e) => e.contactId);
      // Tables whose foreign key would refuse or null the delete (or that have none) first,
      // by the ids asked for; then the contacts themselves, which says who was really there
      // (a concurrent erasure of the same person waits on the row lock and finds nothing).
      for (const t of tables) {
        await tx.$executeRawUnsafe(
          `DELETE FROM ${t.table} WHERE ${t.column} = ANY($1::int[])`,
          ids,
        );
      }
      const rows = await tx.$queryRaw<{ id: number; email: string }[]>`
        DELETE FROM contacts WHERE id = ANY(${ids}::int[]) RETURNING id, email`;
      if (rows.length === 0) return [];
      rows.sort((x, y) => x.id - y.id);
      const emails = rows.map((r) => r.email);
      for (const a of addressColumns) {
        await tx.$executeRawUnsafe(
          // In a list of recipients the address is taken out (the record may be another
          // person's); a row whose own address it is goes.
          a.array
            ? `UPDATE ${a.table} SET ${a.column} = ARRAY(SELECT x FROM unnest(${a.column}) AS x WHERE lower(x) <> ALL($1::text[]))
                WHERE EXISTS (SELECT 1 FROM unnest(${a.column}) AS x WHERE lower(x) = ANY($1::text[]))`
            : `DELETE FROM ${a.table} WHERE lower(${a.column}) = ANY($1::text[])`,
          emails,
        );
      }
      const erased = rows.map((r) => ({
        contactId: r.id,
        addressHash: hashAddress(deps.config.suppressionKey, r.email),
      }));
      await writeSuppressionsAndAudit(tx, erased, input, now);
      return erased;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/**
 * One statement for the suppressions and one for the audit entries, whatever
 * the batch size. An address already suppressed for another reason becomes
 * `erased`: from now on only the person's own double opt-in lifts it.
 */
async function writeSuppressionsAndAudit(
  tx: DbOrTx,
  erased: Erased[],
  input: { erasures: Erasure[]; actor: string; action?: string },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  const hashes = erased.map((e) => e.addressHash);
  await tx.$executeRaw`
    INSERT INTO suppressions (address_hash, reason, detail, created_at)
    SELECT h, 'erased', NULL, ${at}::timestamp(3) FROM unnest(${hashes}::text[]) AS h
    ON CONFLICT (address_hash) DO UPDATE SET reason = 'erased', detail = NULL`;
  const whyById = new Map(input.erasures.map((e) => [e.contactId, e.why]));
  const details = erased.map((e) =>
    JSON.stringify({ ...whyById.get(e.contactId), formerContactId: e.contactId }),
  );
  const action = input.action ?? "contact.erased";
  await tx.$executeRaw`
    INSERT INTO audit_log (at, actor, action, subject_type, subject_id, detail)
    SELECT ${at}::timestamp(3), ${input.actor}, ${action}, 'address_hash', h, d::jsonb
      FROM unnest(${hashes}::text[], ${details}::text[]) AS u(h, d)`;
}
