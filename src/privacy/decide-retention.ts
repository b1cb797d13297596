/**
 * The privacy statement's retention rules as one pure function: which rule
 * still keeps a contact, and until when. Guards the promise "then deleted":
 * the daily job erases exactly the contacts for whom this says `keep: false`
 * (apply-retention.ts pre-filters in SQL with a margin, then asks this).
 *
 * - subscribed: kept while subscribed to any list.
 * - customer: kept while the customer relationship is active.
 * - dialogue: kept `dialogueMonths` from the last contact: Contact.lastContactAt
 *   (contacts registered by hand, imports), the latest reply either way in the
 *   dialogue records (the person's, or an employee's email to them), a pending
 *   sign-up's request; with none recorded, the day the contact was created.
 * - unsubscribed: kept `unsubscribedMonths` from the latest unsubscribe.
 * When a customer relationship has ended, the dialogue and unsubscribed
 * clocks run from no earlier than its end date.
 */
import type { CustomerStatus, SubscriptionStatus } from "../generated/prisma/client.ts";
import { addMonths } from "./add-months.ts";

export interface RetentionPolicy {
  dialogueMonths: number;
  unsubscribedMonths: number;
}

export interface RetentionFacts {
  createdAt: Date;
  lastContactAt: Date | null;
  /** the latest dialogue record of kind reply (received from them or sent to them) */
  lastDialogueAt?: Date | null;
  customerStatus: CustomerStatus;
  customerEndedAt: Date | null;
  subscriptions: ReadonlyArray<{
    status: SubscriptionStatus;
    requestedAt: Date;
    unsubscribedAt: Date | null;
  }>;
}

export const retentionRules = ["subscribed", "customer", "dialogue", "unsubscribed"] as const;
export type RetentionRule = (typeof retentionRules)[number];

export type RetentionDecision =
  | {
      keep: true;
      rule: RetentionRule;
      /** null: for as long as the rule's condition holds (subscribed, customer) */
      until: Date | null;
      /** the date the rule's clock runs from, if it has one */
      since: Date | null;
    }
  | {
      keep: false;
      /** the rule that kept the contact last */
      rule: RetentionRule;
      /** when that rule stopped covering them */
      expiredAt: Date;
      since: Date;
    };

function latest(dates: ReadonlyArray<Date | null>): Date | null {
  let out: Date | null = null;
  for (const d of dates) if (d !== null && (out === null || d > out)) out = d;
  return out;
}

export function decideRetention(
  facts: RetentionFacts,
  policy: RetentionPolicy,
  now: Date,
): RetentionDecision {
  if (facts.subscriptions.some((s) => s.status === "subscribed"))
    return { keep: true, rule: "subscribed", until: null, since: null };
  if (facts.customerStatus === "customer")
    return { keep: true, rule: "customer", until: null, since: null };

  // An end date counts unless the relationship is active (handled above).
  const ended = facts.customerEndedAt;
  const lastContact = latest([
    facts.lastContactAt ?? facts.createdAt,
    facts.lastDialogueAt ?? null,
    ...facts.subscriptions.filter((s) => s.status === "pending").map((s) => s.requestedAt),
  ])!;
  const dialogueSince = latest([lastContact, ended])!;
  const timed: Array<{ rule: RetentionRule; since: Date; until: Date }> = [
    {
      rule: "dialogue",
      since: dialogueSince,
      until: addMonths(dialogueSince, policy.dialogueMonths),
    },
  ];
  const unsubscribed = latest(
    facts.subscriptions.filter((s) => s.status === "unsubscribed").map((s) => s.unsubscribedAt),
  );
  if (unsubscribed !== null) {
    const since = latest([unsubscribed, ended])!;
    timed.push({
      rule: "unsubscribed",
      since,
      until: addMonths(since, policy.unsubscribedMonths),
    });
  }
  // The rule that covers them longest decides; on a tie, the first listed.
  const best = timed.reduce((a, b) => (b.until > a.until ? b : a));
  if (best.until > now)
    return { keep: true, rule: best.rule, until: best.until, since: best.since };
  return { keep: false, rule: best.rule, expiredAt: best.until, since: best.since };
}
