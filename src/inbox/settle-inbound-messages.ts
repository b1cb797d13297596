/**
 * Sets the outcome of a batch's bounce, complaint and unsubscribe rows in ONE
 * statement. They are inserted `pending` first because their ids are the
 * evidence the bounce events and the consent ledger point at; the outcome is
 * known only once those effects are written. Raw SQL because Prisma has no
 * multi-row update with a value per row: one `update` each was a statement
 * per message (bench/ingest.ts). Runs inside the batch's transaction.
 */
import type { Prisma } from "../generated/prisma/client.ts";

export interface SettledRow {
  id: number;
  outcome: string;
  held: boolean;
  detail: Prisma.InputJsonValue;
  contactId: number | null;
  deliveryId: number | null;
}

export async function settleInboundMessages(
  tx: Prisma.TransactionClient,
  rows: SettledRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE inbound_messages AS m
       SET outcome = v.outcome, held = v.held, detail = v.detail::jsonb,
           contact_id = v.contact_id, delivery_id = v.delivery_id
      FROM unnest(${rows.map((r) => r.id)}::int[], ${rows.map((r) => r.outcome)}::text[],
                  ${rows.map((r) => r.held)}::boolean[], ${rows.map((r) => JSON.stringify(r.detail))}::text[],
                  ${rows.map((r) => r.contactId)}::int[], ${rows.map((r) => r.deliveryId)}::int[])
           AS v(id, outcome, held, detail, contact_id, delivery_id)
     WHERE m.id = v.id`;
}
