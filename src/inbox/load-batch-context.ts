/**
 * What recording one batch of messages needs from the database, fetched in a
 * few set queries instead of several per message: the deliveries and
 * dialogue records their In-Reply-To/References/Original-Message-ID and VERP
 * tokens point at, the contacts their addresses name, and which of them the
 * mailbox has already recorded.
 */
import type { SigningKey } from "../config/signing-keys.ts";
import { plusToken, verifyBounceToken } from "../newsletters/bounce-token.ts";
import type { Sql } from "../types.ts";
import type { ReadMessage } from "./read-message.ts";

export interface DeliveryRef {
  id: number;
  campaignId: number;
  contactId: number;
  messageId: string;
  status: string;
  subject: string | null;
  contactEmail: string;
}

export interface DialogueRef {
  id: number;
  threadId: string | null;
  campaignId: number | null;
  deliveryId: number | null;
  subject: string | null;
}

export interface BatchContext {
  alreadyRecorded: Set<string>;
  deliveriesByMessageId: Map<string, DeliveryRef>;
  deliveriesByPair: Map<string, DeliveryRef>;
  dialoguesByMessageId: Map<string, DialogueRef>;
  contactsByEmail: Map<string, { id: number }>;
}

export const pairKey = (campaignId: number, contactId: number) => `${campaignId}:${contactId}`;

/** every address a message was sent to: To, Cc and the envelope's Delivered-To/X-Original-To */
export function recipientAddresses(m: ReadMessage): string[] {
  const p = m.parsed;
  if (!p) return [];
  return [
    ...new Set(
      [...p.to.map((a) => a.address), ...p.cc.map((a) => a.address), ...p.deliveredTo].map((a) =>
        a.trim().toLowerCase(),
      ),
    ),
  ];
}

/** Message-IDs this message refers to, nearest first: In-Reply-To, then References newest first */
export function referencedIds(m: ReadMessage): string[] {
  const p = m.parsed;
  if (!p) return [];
  const ids = [p.inReplyTo, ...[...p.references].reverse()];
  if (m.classification.kind === "bounce" || m.classification.kind === "complaint")
    ids.unshift(m.classification.originalMessageId);
  return [...new Set(ids.filter((i): i is string => !!i).map((i) => i.replace(/^<|>$/g, "")))];
}

/** (campaign, contact) pairs named by verified bounce tokens in recipient addresses */
export function tokenPairs(keys: SigningKey[], m: ReadMessage): string[] {
  const pairs: string[] = [];
  for (const address of recipientAddresses(m)) {
    const token = plusToken(address);
    const scope = token ? verifyBounceToken(keys, token) : null;
    if (scope) pairs.push(pairKey(scope.campaignId, scope.contactId));
  }
  return pairs;
}

export async function loadBatchContext(
  sql: Sql,
  opts: { mailbox: string; keys: SigningKey[] },
  items: ReadMessage[],
): Promise<BatchContext> {
  const dedupeKeys = items.map((m) => m.dedupeKey);
  const refs = [...new Set(items.flatMap(referencedIds))];
  const pairs = [...new Set(items.flatMap((m) => tokenPairs(opts.keys, m)))];
  const emails = new Set<string>();
  for (const m of items) {
    for (const a of m.parsed?.from ?? []) emails.add(a.address);
    for (const a of recipientAddresses(m)) emails.add(a);
    if (m.classification.kind === "complaint" && m.classification.address)
      emails.add(m.classification.address.toLowerCase());
    if (m.classification.kind === "bounce")
      for (const r of m.classification.recipients) emails.add(r.address.toLowerCase());
  }
  // Deliveries with what threading needs of their campaign and contact.
  const deliveries = (where: string, values: unknown[]) =>
    sql.query<DeliveryRef>(
      `SELECT d.id, d.campaign_id AS "campaignId", d.contact_id AS "contactId",
              d.message_id AS "messageId", d.status::text AS status,
              coalesce(c.frozen_subject, c.subject) AS subject, ct.email AS "contactEmail"
         FROM deliveries AS d
         JOIN campaigns AS c ON c.id = d.campaign_id
         JOIN contacts AS ct ON ct.id = d.contact_id
        WHERE ${where}`,
      values,
    );
  const pairIds = pairs.map((p) => p.split(":").map(Number) as [number, number]);
  // one after another: the statements share the transaction's one connection
  const recorded = await sql.query<{ dedupe_key: string }>(
    "SELECT dedupe_key FROM inbound_messages WHERE mailbox = $1 AND dedupe_key = ANY($2::text[])",
    [opts.mailbox, dedupeKeys],
  );
  const byId = refs.length ? await deliveries("d.message_id = ANY($1::text[])", [refs]) : [];
  const byPair = pairIds.length
    ? await deliveries(
        "(d.campaign_id, d.contact_id) IN (SELECT * FROM unnest($1::int[], $2::int[]))",
        [pairIds.map((p) => p[0]), pairIds.map((p) => p[1])],
      )
    : [];
  const dialogues = refs.length
    ? await sql.query<DialogueRef & { messageId: string }>(
        `SELECT id, message_id AS "messageId", thread_id AS "threadId", campaign_id AS "campaignId",
                delivery_id AS "deliveryId", subject
           FROM dialogue_records WHERE message_id = ANY($1::text[])`,
        [refs],
      )
    : [];
  const contacts = emails.size
    ? await sql.query<{ id: number; email: string }>(
        "SELECT id, email FROM contacts WHERE email = ANY($1::text[])",
        [[...emails]],
      )
    : [];
  return {
    alreadyRecorded: new Set(recorded.map((r) => r.dedupe_key)),
    deliveriesByMessageId: new Map(byId.map((d) => [d.messageId, d])),
    deliveriesByPair: new Map(byPair.map((d) => [pairKey(d.campaignId, d.contactId), d])),
    dialoguesByMessageId: new Map(dialogues.map((d) => [d.messageId, d])),
    contactsByEmail: new Map(contacts.map((c) => [c.email, { id: c.id }])),
  };
}
