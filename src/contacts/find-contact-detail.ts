import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";
import { contactFieldsSelect } from "./contact-fields-select.ts";

/** How many rows of each history the contact page shows (newest first); the export has them all. */
export const CONTACT_HISTORY_LIMIT = 200;

const detailSelect = {
  ...contactFieldsSelect,
  subscriptions: {
    select: {
      status: true,
      requestedAt: true,
      confirmedAt: true,
      unsubscribedAt: true,
      source: true,
      list: { select: { slug: true, name: true } },
    },
    orderBy: { listId: "asc" },
  },
  consents: {
    select: {
      id: true,
      purpose: true,
      action: true,
      legalBasis: true,
      source: true,
      evidence: true,
      occurredAt: true,
    },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: CONTACT_HISTORY_LIMIT,
  },
  deliveries: {
    select: {
      id: true,
      status: true,
      sentAt: true,
      bouncedAt: true,
      response: true,
      createdAt: true,
      campaign: { select: { slug: true, subject: true, frozenSubject: true } },
    },
    orderBy: { id: "desc" },
    take: CONTACT_HISTORY_LIMIT,
  },
  dialogues: {
    select: {
      id: true,
      kind: true,
      direction: true,
      mailbox: true,
      subject: true,
      body: true,
      flagged: true,
      receivedAt: true,
      campaign: { select: { slug: true } },
    },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: CONTACT_HISTORY_LIMIT,
  },
  events: {
    select: { id: true, via: true, note: true, actor: true, occurredAt: true },
    orderBy: { occurredAt: "desc" },
    take: CONTACT_HISTORY_LIMIT,
  },
} satisfies Prisma.ContactSelect;

export type ContactDetail = Prisma.ContactGetPayload<{ select: typeof detailSelect }>;

/** Everything the console's contact page shows about one person, histories newest first. */
export async function findContactDetail(db: Db, id: number): Promise<ContactDetail> {
  const contact = await db.contact.findUnique({ where: { id }, select: detailSelect });
  if (!contact) throw new AppError("not_found", `no contact with id ${id} is on file`);
  return contact;
}
