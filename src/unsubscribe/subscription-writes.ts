/**
 * The writes the preference centre composes inside its transaction: leave
 * lists, record withdrawals, withdraw `newsletter:*`.
 */
import { recordConsent, recordConsents } from "../consent/record-consent.ts";
import type { Prisma } from "../generated/prisma/client.ts";

type Tx = Prisma.TransactionClient;

/**
 * Marks the contact's live (pending or subscribed) subscriptions to the given
 * lists unsubscribed and returns their slugs.
 *
 * Raw SQL because the guard and the change must be one statement: two
 * concurrent one-click POSTs (mail providers do retry) then serialise on the
 * row lock, and the second sees the row already unsubscribed and returns
 * nothing, so the ledger gets exactly one withdrawal.
 */
export async function markUnsubscribed(
  tx: Tx,
  contactId: number,
  lists: string[] | "all",
  now: Date,
): Promise<string[]> {
  const all = lists === "all";
  const slugs = all ? [] : lists;
  const at = now.toISOString();
  const rows = await tx.$queryRaw<{ slug: string }[]>`
    UPDATE subscriptions AS s
       SET status = 'unsubscribed', unsubscribed_at = ${at}::timestamp(3), updated_at = ${at}::timestamp(3)
      FROM lists AS l
     WHERE l.id = s.list_id
       AND s.contact_id = ${contactId}
       AND s.status IN ('pending', 'subscribed')
       AND (${all} OR l.slug = ANY(${slugs}::text[]))
    RETURNING l.slug`;
  return rows.map((r) => r.slug).sort();
}

export async function recordWithdrawals(
  tx: Tx,
  contactId: number,
  slugs: string[],
  source: string,
  evidence: Record<string, unknown>,
  now: Date,
): Promise<void> {
  await recordConsents(
    tx,
    slugs.map((slug) => ({
      contactId,
      purpose: `newsletter:${slug}`,
      action: "withdraw",
      legalBasis: "consent",
      source,
      evidence: evidence as Prisma.InputJsonObject,
      at: now,
    })),
  );
}

/**
 * "Unsubscribe from everything" also withdraws `newsletter:*`, unless the
 * latest word on it already is a withdrawal (so repeats add no rows).
 * Returns whether it wrote one.
 */
export async function withdrawEverything(
  tx: Tx,
  contactId: number,
  source: string,
  evidence: Record<string, unknown>,
  now: Date,
): Promise<boolean> {
  const contact = await tx.contact.findUnique({ where: { id: contactId }, select: { id: true } });
  if (!contact) return false;
  const latest = await tx.consentEvent.findFirst({
    where: { contactId, purpose: "newsletter:*" },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { action: true },
  });
  if (latest?.action === "withdraw") return false;
  await recordConsent(tx, {
    contactId,
    purpose: "newsletter:*",
    action: "withdraw",
    legalBasis: "consent",
    source,
    evidence: evidence as Prisma.InputJsonObject,
    at: now,
  });
  return true;
}

export function methodOf(evidence: Record<string, unknown>): string | null {
  return typeof evidence.method === "string" ? evidence.method : null;
}
