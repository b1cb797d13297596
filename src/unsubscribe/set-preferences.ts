import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { recordConsents } from "../consent/record-consent.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { loadPreferences } from "./load-preferences.ts";
import {
  markUnsubscribed,
  methodOf,
  recordWithdrawals,
  withdrawEverything,
} from "./subscription-writes.ts";

export interface PreferenceChange {
  contactId: number;
  /** list slugs to (re-)subscribe to: only lists the person was subscribed to before */
  subscribe: string[];
  /** list slugs to leave, or "all" (which also withdraws `newsletter:*`) */
  unsubscribe: string[] | "all";
  source: string;
  evidence: Record<string, unknown>;
}

/**
 * The preference centre's save: one transaction that leaves and rejoins lists,
 * each change a consent event with the request's evidence. Rejoining is a new
 * grant of consent (the person acted on a link only they received) and is
 * allowed only where they were subscribed before; anything else goes through
 * double opt-in. Idempotent: what already holds is left alone.
 */
export async function setPreferences(
  deps: { db: Db; clock: Clock },
  change: PreferenceChange,
): Promise<{ subscribed: string[]; unsubscribed: string[] }> {
  const leaving = change.unsubscribe;
  if (leaving === "all" && change.subscribe.length > 0) {
    throw new AppError(
      "invalid_input",
      `cannot subscribe to ${quoteAll(change.subscribe)} and unsubscribe from everything at once`,
    );
  }
  const both = leaving === "all" ? [] : change.subscribe.filter((slug) => leaving.includes(slug));
  if (both.length > 0)
    throw new AppError(
      "invalid_input",
      `list ${quoteAll(both)} is both to subscribe and to unsubscribe; choose one`,
    );

  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const current = await loadPreferences(tx, change.contactId);
    const bySlug = new Map(current.lists.map((l) => [l.slug, l]));
    const refused = change.subscribe.filter((slug) => !bySlug.get(slug)?.canSubscribe);
    if (refused.length > 0) {
      const allowed = current.lists.filter((l) => l.canSubscribe).map((l) => l.slug);
      throw new AppError(
        "refused",
        `cannot subscribe to ${quoteAll(refused)} from the preference centre: only lists you were subscribed to before can be chosen again here (${allowed.length > 0 ? allowed.join(", ") : "none"}); sign up on the website for others`,
        { refused, allowed },
      );
    }
    const rejoin = change.subscribe
      .filter((slug) => bySlug.get(slug)?.status !== "subscribed")
      .sort();
    const subscribed = await markSubscribed(tx, change.contactId, rejoin, now);
    await recordConsents(
      tx,
      subscribed.map((slug) => ({
        contactId: change.contactId,
        purpose: `newsletter:${slug}`,
        action: "grant",
        legalBasis: "consent",
        source: change.source,
        evidence: change.evidence as Prisma.InputJsonObject,
        at: now,
      })),
    );
    const unsubscribed =
      leaving === "all" || leaving.length > 0
        ? await markUnsubscribed(tx, change.contactId, leaving, now)
        : [];
    await recordWithdrawals(
      tx,
      change.contactId,
      unsubscribed,
      change.source,
      change.evidence,
      now,
    );
    const everything =
      leaving === "all" &&
      (await withdrawEverything(tx, change.contactId, change.source, change.evidence, now));
    if (subscribed.length > 0 || unsubscribed.length > 0 || everything) {
      await recordAudit(tx, {
        actor: "subscriber",
        action: "subscription.preferences_changed",
        subjectType: "contact",
        subjectId: change.contactId,
        detail: {
          subscribed,
          unsubscribed,
          everything: leaving === "all",
          source: change.source,
          method: methodOf(change.evidence),
        },
      });
    }
    return { subscribed, unsubscribed };
  });
}

/**
 * Rejoins lists the contact left. The status guard sits in the WHERE clause so
 * that a concurrent save cannot grant the same list twice.
 */
async function markSubscribed(
  tx: Prisma.TransactionClient,
  contactId: number,
  slugs: string[],
  now: Date,
): Promise<string[]> {
  const done: string[] = [];
  for (const slug of slugs) {
    const { count } = await tx.subscription.updateMany({
      where: { contactId, list: { slug }, status: { not: "subscribed" } },
      data: { status: "subscribed", unsubscribedAt: null, confirmedAt: now },
    });
    if (count > 0) done.push(slug);
  }
  return done;
}

function quoteAll(slugs: string[]): string {
  return slugs.map((s) => `"${s}"`).join(", ");
}
