import type { Config } from "../config/load-config.ts";
import { normaliseAddress } from "../consent/address-hash.ts";
import { AppError } from "../errors.ts";
import type { Clock, Db } from "../types.ts";
import { decideRetention, type RetentionDecision } from "./decide-retention.ts";

export interface ContactRetention {
  contact: {
    id: number;
    email: string;
    name: string | null;
    company: string | null;
    customerStatus: string;
    customerEndedAt: Date | null;
    lastContactAt: Date | null;
    createdAt: Date;
  };
  subscriptions: Array<{
    list: string;
    status: string;
    requestedAt: Date;
    unsubscribedAt: Date | null;
  }>;
  /** the last contact events registered by hand, newest first */
  events: Array<{ via: string; occurredAt: Date; actor: string }>;
  decision: RetentionDecision;
}

/** The contact page: who this is, and which retention rule keeps them until when. */
export async function findContactRetention(
  deps: { db: Db; config: Pick<Config, "privacy">; clock: Clock },
  which: { email: string } | { id: number },
): Promise<ContactRetention> {
  const where = "email" in which ? { email: normaliseAddress(which.email) } : { id: which.id };
  const c = await deps.db.contact.findUnique({
    where,
    select: {
      id: true,
      email: true,
      name: true,
      company: true,
      customerStatus: true,
      customerEndedAt: true,
      lastContactAt: true,
      createdAt: true,
      subscriptions: {
        select: {
          status: true,
          requestedAt: true,
          unsubscribedAt: true,
          list: { select: { slug: true } },
        },
        orderBy: { listId: "asc" },
      },
      dialogues: {
        where: { kind: "reply" },
        select: { receivedAt: true },
        orderBy: { receivedAt: "desc" },
        take: 1,
      },
      events: {
        select: { via: true, occurredAt: true, actor: true },
        orderBy: { occurredAt: "desc" },
        take: 10,
      },
    },
  });
  if (!c) {
    const what = "email" in which ? `"${which.email}"` : `id ${which.id}`;
    throw new AppError("not_found", `no contact with ${what} is on file`);
  }
  const { subscriptions, events, dialogues, ...contact } = c;
  const decision = decideRetention(
    { ...c, lastDialogueAt: dialogues[0]?.receivedAt ?? null },
    deps.config.privacy.retention,
    deps.clock.now(),
  );
  return {
    contact,
    subscriptions: subscriptions.map(({ list, ...s }) => ({ list: list.slug, ...s })),
    events,
    decision,
  };
}

/** One line for people: "kept by rule dialogue until 2027-03-01 (2 years from 2025-03-01)". */
export function describeDecision(d: RetentionDecision): string {
  const day = (x: Date) => x.toISOString().slice(0, 10);
  const why: Record<typeof d.rule, string> = {
    subscribed: "subscribed to a newsletter",
    customer: "an active customer",
    dialogue: "active dialogue, counted from the last contact",
    unsubscribed: "unsubscribed, counted from the unsubscribe",
  };
  if (!d.keep)
    return `due for erasure: rule ${d.rule} (${why[d.rule]}, from ${day(d.since)}) ran out on ${day(d.expiredAt)}`;
  if (d.until === null) return `kept by rule ${d.rule} (${why[d.rule]}) for as long as that holds`;
  return `kept by rule ${d.rule} (${why[d.rule]}, from ${day(d.since!)}) until ${day(d.until)}`;
}
