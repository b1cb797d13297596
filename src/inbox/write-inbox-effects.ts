/**
 * The writes a batch's bounces and complaints make, in ONE statement for the
 * whole batch: bounce events, suppressions (with their audit entries), and
 * deliveries marked bounced. Raw SQL, for speed: written per message through
 * Prisma these were about seven statements per DSN (create, find, insert,
 * audit, update, count), and Prisma's query compiler and the round trips were
 * the larger part of ingest's CPU (bench/ingest.ts). One statement is also
 * atomic, and it runs inside the batch's transaction (record-batch.ts), so
 * the effects commit exactly with the checkpoint (DESIGN.md invariant 4).
 *
 * It mirrors suppressAddress() and recordAudit(); keep the columns in step
 * with them. The first reason recorded for an address stays: ON CONFLICT DO
 * NOTHING, and only the rows really inserted get an audit entry (no address,
 * only the keyed hash: invariant 10). Timestamps go in as UTC ISO text cast
 * to `timestamp`, the convention Prisma reads them back in.
 */
import type { Sql } from "../types.ts";
import type { BounceEventRow, SuppressRequest } from "./plan-bounce.ts";

export async function writeInboxEffects(
  sql: Sql,
  input: {
    now: Date;
    events: BounceEventRow[];
    /** at most one per address hash, the first in message order */
    suppress: SuppressRequest[];
    /** at most one per delivery */
    bounceDeliveries: Array<{ id: number; response: string }>;
  },
): Promise<{ suppressed: Set<string>; bounced: Set<number> }> {
  const { events, suppress, bounceDeliveries } = input;
  if (events.length + suppress.length + bounceDeliveries.length === 0)
    return { suppressed: new Set(), bounced: new Set() };
  const at = input.now.toISOString();
  const rows = await sql.query<{ kind: string; key: string }>(
    `
    WITH events AS (
      INSERT INTO bounce_events (address_hash, verdict, status, action, delivery_id, inbound_message_id, occurred_at)
      SELECT e.address_hash, e.verdict, e.status, e.action, e.delivery_id, e.inbound_message_id, $1::timestamp(3)
        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])
             AS e(address_hash, verdict, status, action, delivery_id, inbound_message_id)
      RETURNING 1
    ),
    added AS (
      INSERT INTO suppressions (address_hash, reason, detail, created_at)
      SELECT s.address_hash, s.reason::"SuppressionReason", s.detail, $1::timestamp(3)
        FROM unnest($8::text[], $9::text[], $10::text[]) AS s(address_hash, reason, detail)
      ON CONFLICT (address_hash) DO NOTHING
      RETURNING address_hash, reason
    ),
    audit AS (
      INSERT INTO audit_log (actor, action, subject_type, subject_id, detail, at)
      SELECT 'worker', 'suppression.added', 'address_hash', a.address_hash,
             jsonb_build_object('reason', a.reason), $1::timestamp(3)
        FROM added AS a
      RETURNING 1
    ),
    bounced AS (
      UPDATE deliveries AS d
         SET status = 'bounced', bounced_at = $1::timestamp(3), response = v.response, updated_at = $1::timestamp(3)
        FROM unnest($11::int[], $12::text[])
             AS v(id, response)
       WHERE d.id = v.id AND d.status <> 'bounced'
      RETURNING d.id
    )
    SELECT 'suppressed' AS kind, address_hash AS key FROM added
    UNION ALL SELECT 'bounced', id::text FROM bounced
    UNION ALL SELECT 'events', count(*)::text FROM events
    UNION ALL SELECT 'audit', count(*)::text FROM audit`,
    [
      at,
      events.map((e) => e.addressHash),
      events.map((e) => e.verdict),
      events.map((e) => e.status),
      events.map((e) => e.action),
      events.map((e) => e.deliveryId),
      events.map((e) => e.inboundMessageId),
      suppress.map((s) => s.addressHash),
      suppress.map((s) => s.reason),
      suppress.map((s) => s.detail),
      bounceDeliveries.map((b) => b.id),
      bounceDeliveries.map((b) => b.response),
    ],
  );
  return {
    suppressed: new Set(rows.filter((r) => r.kind === "suppressed").map((r) => r.key)),
    bounced: new Set(rows.filter((r) => r.kind === "bounced").map((r) => Number(r.key))),
  };
}
