/**
 * The delivery ledger's writes on the send path, batched: one statement per
 * batch or per group of slots, because at 1,000 messages/s a round trip per
 * row would be the bottleneck. Plain SQL through the `Sql` port (see
 * types.ts: Prisma's per-query compile cost more than these statements) for
 * INSERT ... FROM unnest(...) and UPDATE ... FROM unnest(...), which Prisma
 * cannot express with a different value per row.
 */
import type { DeliveryStatus } from "../generated/prisma/client.ts";
import type { Sql } from "../types.ts";

export interface QueuedDelivery {
  id: number;
  contactId: number;
  messageId: string;
  attempts: number;
}

/**
 * Creates the missing rows as `queued` (rows that exist from an earlier run
 * are left as they are) and returns, of these contacts, the deliveries still
 * waiting to be handed to SMTP, in contact order. One statement: the second
 * SELECT sees the table as it was before the INSERT, so it yields the older
 * queued rows and RETURNING the new ones, each row once.
 */
export async function queueDeliveries(
  sql: Sql,
  campaignId: number,
  rows: Array<{ contactId: number; messageId: string }>,
): Promise<QueuedDelivery[]> {
  if (rows.length === 0) return [];
  return sql.query<QueuedDelivery>(
    `WITH fresh AS (
       INSERT INTO deliveries (campaign_id, contact_id, message_id, status, updated_at)
       SELECT $1, r.contact_id, r.message_id, 'queued', now()
         FROM unnest($2::int[], $3::text[]) AS r(contact_id, message_id)
       ON CONFLICT (campaign_id, contact_id) DO NOTHING
       RETURNING id, contact_id, message_id, attempts
     )
     SELECT id, contact_id AS "contactId", message_id AS "messageId", attempts FROM fresh
     UNION ALL
     SELECT id, contact_id, message_id, attempts
       FROM deliveries
      WHERE campaign_id = $1 AND contact_id = ANY($2::int[]) AND status = 'queued'
     ORDER BY 2`,
    [campaignId, rows.map((r) => r.contactId), rows.map((r) => r.messageId)],
  );
}

export interface Transition {
  id: number;
  from: DeliveryStatus;
  to: DeliveryStatus;
  response?: string | null;
  /** counts one more hand-over to SMTP */
  attempt?: boolean;
}

/**
 * Applies each transition only if the row is still in its `from` state, in
 * one statement; returns the ids that moved. A row another actor changed
 * meanwhile (cancelled, marked uncertain by a resuming worker) is left alone.
 */
export async function applyTransitions(sql: Sql, transitions: Transition[]): Promise<Set<number>> {
  if (transitions.length === 0) return new Set();
  const rows = await sql.query<{ id: number }>(
    `UPDATE deliveries d
        SET status = v.to_status::"DeliveryStatus",
            response = COALESCE(v.response, d.response),
            attempts = d.attempts + v.inc,
            sent_at = CASE WHEN v.to_status = 'sent' THEN now() ELSE d.sent_at END,
            updated_at = now()
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[]) AS v(id, from_status, to_status, response, inc)
      WHERE d.id = v.id AND d.status = v.from_status::"DeliveryStatus"
      RETURNING d.id`,
    [
      transitions.map((t) => t.id),
      transitions.map((t) => t.from),
      transitions.map((t) => t.to),
      transitions.map((t) => t.response ?? null),
      transitions.map((t) => (t.attempt ? 1 : 0)),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Coalesces ledger writes from concurrent send slots: calls made while a
 * write is in flight go out together in the next statement.
 */
export function createLedgerWriter(sql: Sql): (transitions: Transition[]) => Promise<Set<number>> {
  let pending: Array<{
    transitions: Transition[];
    resolve: (ids: Set<number>) => void;
    reject: (e: unknown) => void;
  }> = [];
  let busy = false;
  const flush = async () => {
    busy = true;
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      try {
        const moved = await applyTransitions(
          sql,
          group.flatMap((g) => g.transitions),
        );
        for (const g of group) g.resolve(moved);
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    busy = false;
  };
  return (transitions) =>
    new Promise((resolve, reject) => {
      pending.push({ transitions, resolve, reject });
      if (!busy) void flush();
    });
}
