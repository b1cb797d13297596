/**
 * Sets the outcome of a batch's bounce, complaint and unsubscribe rows in ONE
 * statement. They are inserted `pending` first because their ids are the
 * evidence the bounce events and the consent ledger point at; the outcome is
 * known only once those effects are written. Raw SQL because Prisma has no
 * multi-row update with a value per row: one `update` each was a statement
 * per message (bench/ingest.ts). Runs inside the batch's transaction.
 */
import type { Prisma } from "../generated/prisma/client.ts";
import type { Sql } from "../types.ts";
import { jsonForPostgres } from "./json-for-postgres.ts";

export interface SettledRow {
  id: number;
  outcome: string;
  held: boolean;
  detail: Prisma.InputJsonValue;
  contactId: number | null;
  deliveryId: number | null;
}

export async function settleInboundMessages(sql: Sql, rows: SettledRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.query(
    `
    UPDATE inbound_messages AS m
       SET outcome = v.outcome, held = v.held, detail = v.detail::jsonb,
           contact_id = v.contact_id, delivery_id = v.delivery_id
      FROM unnest($1::int[], $2::text[], $3::boolean[], $4::text[], $5::int[], $6::int[])
           AS v(id, outcome, held, detail, contact_id, delivery_id)
     WHERE m.id = v.id`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.outcome),
      rows.map((r) => r.held),
      rows.map((r) => jsonForPostgres(r.detail)),
      rows.map((r) => r.contactId),
      rows.map((r) => r.deliveryId),
    ],
  );
}
