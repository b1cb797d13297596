/**
 * Inserts a batch's dialogue records in ONE statement and returns their ids by
 * source UID. Raw SQL, for speed: Prisma's query compiler turns a createMany
 * into a plan with every value of every row, serialised to JSON, compiled in
 * wasm and interpreted back in JavaScript; with the bodies and the cut quoted
 * history of a few hundred replies that was about a third of ingest's CPU
 * (bench/ingest.ts). Here the rows travel as one JSON parameter that
 * PostgreSQL unpacks (jsonb_to_recordset). Runs inside the batch's
 * transaction (record-batch.ts). Keep the columns in step with the
 * DialogueRecord model; timestamps are UTC ISO text, the convention Prisma
 * reads them back in.
 */
import { jsonForPostgres } from "./json-for-postgres.ts";
import type { DialogueDirection, DialogueKind } from "../generated/prisma/client.ts";
import type { Sql } from "../types.ts";

export interface DialogueRow {
  contactId: number | null;
  campaignId: number | null;
  deliveryId: number | null;
  kind: DialogueKind;
  direction: DialogueDirection;
  mailbox: string;
  messageId: string | null;
  inReplyTo: string | null;
  subject: string;
  body: string;
  removed: string | null;
  flagged: boolean;
  fromAddress: string | null;
  toAddresses: string[];
  attachments: Array<{ filename: string | null; contentType: string; size: number }>;
  threadId: string;
  receivedAt: Date;
  sourceUidValidity: bigint;
  sourceUid: bigint;
}

export async function insertDialogueRecords(
  sql: Sql,
  rows: DialogueRow[],
): Promise<Map<bigint, number>> {
  if (rows.length === 0) return new Map();
  const json = jsonForPostgres(
    rows.map((r) => ({
      ...r,
      receivedAt: r.receivedAt.toISOString(),
      sourceUidValidity: String(r.sourceUidValidity),
      sourceUid: String(r.sourceUid),
    })),
  );
  const created = await sql.query<{ id: number; source_uid: bigint | string }>(
    `
    INSERT INTO dialogue_records (contact_id, campaign_id, delivery_id, kind, direction, mailbox,
                                  message_id, in_reply_to, subject, body, removed, flagged,
                                  from_address, to_addresses, attachments, thread_id, received_at,
                                  source_uid_validity, source_uid)
    SELECT r."contactId", r."campaignId", r."deliveryId", r.kind::"DialogueKind",
           r.direction::"DialogueDirection", r.mailbox, r."messageId", r."inReplyTo", r.subject,
           r.body, r.removed, r.flagged, r."fromAddress",
           ARRAY(SELECT jsonb_array_elements_text(r."toAddresses")), r.attachments, r."threadId",
           r."receivedAt", r."sourceUidValidity", r."sourceUid"
      FROM jsonb_to_recordset($1::jsonb) AS r(
             "contactId" int, "campaignId" int, "deliveryId" int, kind text, direction text,
             mailbox text, "messageId" text, "inReplyTo" text, subject text, body text,
             removed text, flagged boolean, "fromAddress" text, "toAddresses" jsonb,
             attachments jsonb, "threadId" text, "receivedAt" timestamp(3),
             "sourceUidValidity" bigint, "sourceUid" bigint)
    RETURNING id, source_uid`,
    [json],
  );
  return new Map(created.map((r) => [BigInt(r.source_uid), r.id]));
}
