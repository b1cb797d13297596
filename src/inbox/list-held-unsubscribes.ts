/**
 * Mailed unsubscribe requests that wait for an operator: a message to the
 * bare unsubscribe@ address (no signed token) from a known contact's address.
 * From can be forged (record-effects.ts), so nothing was changed;
 * an operator confirms with the person or dismisses the request
 * (decide-held-unsubscribe.ts).
 */
import type { Db } from "../types.ts";

export interface HeldUnsubscribe {
  id: number;
  mailbox: string;
  receivedAt: string;
  contactId: number | null;
  contactEmail: string | null;
}

export async function listHeldUnsubscribes(db: Db, limit = 200): Promise<HeldUnsubscribe[]> {
  const held = await db.inboundMessage.findMany({
    where: { held: true },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    take: limit,
    select: { id: true, mailbox: true, receivedAt: true, contactId: true },
  });
  const ids = [...new Set(held.map((h) => h.contactId).filter((id): id is number => id !== null))];
  const contacts = ids.length
    ? await db.contact.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } })
    : [];
  const emailOf = new Map(contacts.map((c) => [c.id, c.email]));
  return held.map((h) => ({
    id: h.id,
    mailbox: h.mailbox,
    receivedAt: h.receivedAt.toISOString(),
    contactId: h.contactId,
    contactEmail: h.contactId === null ? null : (emailOf.get(h.contactId) ?? null),
  }));
}
