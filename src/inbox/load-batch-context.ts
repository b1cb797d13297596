/**
 * What recording one batch of messages needs from the database, fetched in a
 * few set queries instead of several per message: the deliveries and
 * dialogue records their In-Reply-To/References/Original-Message-ID and VERP
 * tokens point at, the contacts their addresses name, and which of them the
 * mailbox has already recorded.
 */
import type { Prisma } from "../generated/prisma/client.ts";
import type { SigningKey } from "../config/signing-keys.ts";
import { plusToken, verifyBounceToken } from "../newsletters/bounce-token.ts";
import type { ReadMessage } from "./read-message.ts";

type Tx = Prisma.TransactionClient;

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
  tx: Tx,
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
  const deliverySelect = {
    id: true,
    campaignId: true,
    contactId: true,
    messageId: true,
    status: true,
    campaign: { select: { frozenSubject: true, subject: true } },
    contact: { select: { email: true } },
  } as const;
  const [recorded, byId, byPair, dialogues, contacts] = await Promise.all([
    tx.inboundMessage.findMany({
      where: { mailbox: opts.mailbox, dedupeKey: { in: dedupeKeys } },
      select: { dedupeKey: true },
    }),
    refs.length
      ? tx.delivery.findMany({ where: { messageId: { in: refs } }, select: deliverySelect })
      : [],
    pairs.length
      ? tx.delivery.findMany({
          where: {
            OR: pairs.map((p) => {
              const [campaignId, contactId] = p.split(":").map(Number);
              return { campaignId: campaignId!, contactId: contactId! };
            }),
          },
          select: deliverySelect,
        })
      : [],
    refs.length
      ? tx.dialogueRecord.findMany({
          where: { messageId: { in: refs } },
          select: {
            id: true,
            messageId: true,
            threadId: true,
            campaignId: true,
            deliveryId: true,
            subject: true,
          },
        })
      : [],
    emails.size
      ? tx.contact.findMany({
          where: { email: { in: [...emails] } },
          select: { id: true, email: true },
        })
      : [],
  ]);
  const toRef = (d: (typeof byId)[number]): DeliveryRef => ({
    id: d.id,
    campaignId: d.campaignId,
    contactId: d.contactId,
    messageId: d.messageId,
    status: d.status,
    subject: d.campaign.frozenSubject ?? d.campaign.subject,
    contactEmail: d.contact.email,
  });
  return {
    alreadyRecorded: new Set(recorded.map((r) => r.dedupeKey)),
    deliveriesByMessageId: new Map(byId.map((d) => [d.messageId, toRef(d)])),
    deliveriesByPair: new Map(byPair.map((d) => [pairKey(d.campaignId, d.contactId), toRef(d)])),
    dialoguesByMessageId: new Map(
      dialogues.filter((d) => d.messageId).map((d) => [d.messageId!, d]),
    ),
    contactsByEmail: new Map(contacts.map((c) => [c.email, { id: c.id }])),
  };
}
