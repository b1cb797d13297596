/**
 * The delivery ledger's writes, batched: one statement per batch or per
 * group of slots, because at 1,000 messages/s a round trip per row would be
 * the bottleneck. Raw SQL for UPDATE ... FROM unnest(...), which Prisma's
 * updateMany cannot do with a different value per row.
 */
import type { DeliveryStatus } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";

export interface QueuedDelivery {
  id: number;
  contactId: number;
  messageId: string;
  attempts: number;
}

/** Creates the missing rows as `queued`; rows that exist (from an earlier run) are left as they are. */
export async function insertDeliveries(
  db: Db,
  campaignId: number,
  rows: Array<{ contactId: number; messageId: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db.$executeRawUnsafe(
    `INSERT INTO deliveries (campaign_id, contact_id, message_id, status, updated_at)
     SELECT $1, r.contact_id, r.message_id, 'queued', now()
       FROM unnest($2::int[], $3::text[]) AS r(contact_id, message_id)
     ON CONFLICT (campaign_id, contact_id) DO NOTHING`,
    campaignId,
    rows.map((r) => r.contactId),
    rows.map((r) => r.messageId),
  );
}

/** Of these contacts, the deliveries still waiting to be handed to SMTP. */
export async function queuedDeliveries(
  db: Db,
  campaignId: number,
  contactIds: number[],
): Promise<QueuedDelivery[]> {
  if (contactIds.length === 0) return [];
  return db.delivery.findMany({
    where: { campaignId, contactId: { in: contactIds }, status: "queued" },
    select: { id: true, contactId: true, messageId: true, attempts: true },
    orderBy: { contactId: "asc" },
  });
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
export async function applyTransitions(db: Db, transitions: Transition[]): Promise<Set<number>> {
  if (transitions.length === 0) return new Set();
  const rows = await db.$queryRawUnsafe<Array<{ id: number }>>(
    `UPDATE deliveries d
        SET status = v.to_status::"DeliveryStatus",
            response = COALESCE(v.response, d.response),
            attempts = d.attempts + v.inc,
            sent_at = CASE WHEN v.to_status = 'sent' THEN now() ELSE d.sent_at END,
            updated_at = now()
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[]) AS v(id, from_status, to_status, response, inc)
      WHERE d.id = v.id AND d.status = v.from_status::"DeliveryStatus"
      RETURNING d.id`,
    transitions.map((t) => t.id),
    transitions.map((t) => t.from),
    transitions.map((t) => t.to),
    transitions.map((t) => t.response ?? null),
    transitions.map((t) => (t.attempt ? 1 : 0)),
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Rows left in `sending` by a worker that died: it may or may not have handed
 * them to SMTP, or SMTP may have accepted them unheard. Never sent again.
 */
export async function markInterrupted(db: Db, campaignId: number): Promise<number> {
  const result = await db.delivery.updateMany({
    where: { campaignId, status: "sending" },
    data: {
      status: "uncertain",
      response:
        "the worker stopped while this message was being handed to SMTP; it may or may not have been delivered, so it is not sent again",
    },
  });
  return result.count;
}

/**
 * Where this run's keyset walk starts: before the first row still queued
 * (left by a killed run or deferred after a 4xx), else after the last row.
 */
export async function resumeCursor(db: Db, campaignId: number): Promise<number> {
  const queued = await db.delivery.aggregate({
    where: { campaignId, status: "queued" },
    _min: { contactId: true },
  });
  if (queued._min.contactId !== null) return queued._min.contactId - 1;
  const last = await db.delivery.aggregate({ where: { campaignId }, _max: { contactId: true } });
  return last._max.contactId ?? 0;
}

/**
 * Coalesces ledger writes from concurrent send slots: calls made while a
 * write is in flight go out together in the next statement.
 */
export function createLedgerWriter(db: Db): (transitions: Transition[]) => Promise<Set<number>> {
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
          db,
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
