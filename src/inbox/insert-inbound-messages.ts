/**
 * Inserts a batch's inbound_messages rows (one per message seen) in ONE
 * statement and returns their ids by dedupe key. Raw SQL for the reason
 * insert-dialogue-records.ts gives: the rows travel as one JSON parameter
 * instead of through Prisma's per-value query plan. There is no ON CONFLICT:
 * a row that another run committed meanwhile must fail the statement and roll
 * the whole batch back (unique mailbox + dedupe key), never be skipped
 * silently (DESIGN.md invariant 4). Keep the columns in step with the
 * InboundMessage model.
 */
import { jsonForPostgres } from "./json-for-postgres.ts";
import type { InboundKind, Prisma } from "../generated/prisma/client.ts";
import type { Sql } from "../types.ts";

export interface InboundRow {
  mailbox: string;
  dedupeKey: string;
  messageId: string | null;
  uidValidity: bigint;
  uid: bigint;
  kind: InboundKind;
  receivedAt: Date;
  outcome: string;
  detail: Prisma.InputJsonValue;
  contactId?: number | null;
  deliveryId?: number | null;
  dialogueId?: number | null;
}

export async function insertInboundMessages(
  sql: Sql,
  rows: InboundRow[],
): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const json = jsonForPostgres(
    rows.map((r) => ({
      ...r,
      receivedAt: r.receivedAt.toISOString(),
      uidValidity: String(r.uidValidity),
      uid: String(r.uid),
    })),
  );
  const created = await sql.query<{ id: number; dedupe_key: string }>(
    `
    INSERT INTO inbound_messages (mailbox, dedupe_key, message_id, uid_validity, uid, kind, outcome,
                                  held, detail, contact_id, delivery_id, dialogue_id, received_at)
    SELECT r.mailbox, r."dedupeKey", r."messageId", r."uidValidity", r.uid, r.kind::"InboundKind",
           r.outcome, false, r.detail, r."contactId", r."deliveryId", r."dialogueId", r."receivedAt"
      FROM jsonb_to_recordset($1::jsonb) AS r(
             mailbox text, "dedupeKey" text, "messageId" text, "uidValidity" bigint, uid bigint,
             kind text, outcome text, detail jsonb, "contactId" int, "deliveryId" int,
             "dialogueId" int, "receivedAt" timestamp(3))
    RETURNING id, dedupe_key`,
    [json],
  );
  return new Map(created.map((r) => [r.dedupe_key, r.id]));
}
