import type { Config } from "../config/load-config.ts";
import { hashAddress } from "../consent/address-hash.ts";
import { recordConsent } from "../consent/record-consent.ts";
import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import { verifyConfirmToken } from "../unsubscribe/confirm-token.ts";
import type { Clock, Db } from "../types.ts";

/**
 * Double opt-in, step two: the person followed the signed link. The link
 * names one request and when it was issued; it confirms only while that
 * request is the pending one (a newer request supersedes it) and is younger
 * than CONFIRM_LINK_DAYS, so an old link replayed after an unsubscribe and a
 * stranger's new request subscribes no one. Each of the request's lists
 * still pending becomes subscribed, with a ledger grant carrying the evidence
 * of both the request and the confirmation. Idempotent: a second click, or
 * two at once, is a success that changes nothing. A list the person left
 * after asking stays left; a suppressed address is refused (an erasure's
 * suppression alone is lifted by the person's own confirmation).
 */
export async function confirmSubscription(
  deps: {
    db: Db;
    config: Pick<Config, "signingKeys" | "suppressionKey"> & Partial<Pick<Config, "confirmLinkMs">>;
    clock: Clock;
  },
  input: { token: string; evidence: Prisma.InputJsonObject },
): Promise<{ contactId: number; list: string; lists: string[]; changed: boolean }> {
  const scope = verifyConfirmToken(deps.config.signingKeys, input.token);
  const now = deps.clock.now();
  const maxAge = deps.config.confirmLinkMs ?? 7 * 86_400_000;
  if (now.getTime() - scope.issuedAt.getTime() > maxAge) {
    throw new AppError(
      "refused",
      `this confirmation link expired (it was sent ${scope.issuedAt.toISOString().slice(0, 10)} and is valid for ${Math.round(maxAge / 86_400_000)} days); subscribe again to get a new one`,
      { reason: "expired" },
    );
  }
  const request = await deps.db.subscriptionRequest.findUnique({
    where: { id: scope.requestId },
    select: {
      id: true,
      status: true,
      contactId: true,
      lists: true,
      name: true,
      evidence: true,
      requestedAt: true,
      contact: { select: { email: true, name: true } },
    },
  });
  if (!request || request.contactId === null || !request.contact)
    throw new AppError(
      "not_found",
      "there is no subscription request for this link any more; subscribe again",
    );
  const contactId = request.contactId;
  const first = request.lists[0] ?? "";
  const done = (changed: boolean) => ({ contactId, list: first, lists: request.lists, changed });
  if (request.status === "confirmed") {
    // A second click while still subscribed is a success; the same link after leaving again is not.
    const left = await deps.db.subscription.count({
      where: { contactId, status: { not: "subscribed" }, list: { slug: { in: request.lists } } },
    });
    if (left === 0) return done(false);
    throw new AppError(
      "refused",
      "this confirmation link was used already, and the subscription was cancelled since; subscribe again to get a new link",
      { reason: "cancelled" },
    );
  }
  if (request.status !== "pending")
    throw new AppError(
      "refused",
      "this confirmation link was replaced by a newer request; use the link in the most recent email, or subscribe again",
      { reason: "replaced" },
    );

  const addressHash = hashAddress(deps.config.suppressionKey, request.contact.email);
  const suppression = await deps.db.suppression.findUnique({
    where: { addressHash },
    select: { reason: true },
  });
  const lifting = suppression?.reason === "erased";
  if (suppression && !lifting)
    throw new AppError("refused", "this address can no longer be subscribed", {
      reason: "suppressed",
    });

  return deps.db.$transaction(async (tx) => {
    // Conditional on `pending`, so of two concurrent clicks only one goes on.
    const claimed = await tx.subscriptionRequest.updateMany({
      where: { id: request.id, status: "pending" },
      data: { status: "confirmed", confirmedAt: now },
    });
    if (claimed.count === 0) return done(false);
    const subscriptions = await tx.subscription.findMany({
      where: { contactId, status: "pending", list: { slug: { in: request.lists } } },
      select: { id: true, list: { select: { slug: true } } },
    });
    const confirmed: string[] = [];
    for (const sub of subscriptions) {
      const { count } = await tx.subscription.updateMany({
        where: { id: sub.id, status: "pending" },
        data: { status: "subscribed", confirmedAt: now, unsubscribedAt: null },
      });
      if (count > 0) confirmed.push(sub.list.slug);
    }
    if (confirmed.length === 0) return done(false);
    if (lifting) {
      await tx.suppression.deleteMany({ where: { addressHash, reason: "erased" } });
      await recordAudit(tx, {
        actor: "subscriber",
        action: "suppression.lifted",
        subjectType: "address_hash",
        subjectId: addressHash,
        detail: { reason: "erased", by: "double-opt-in", lists: confirmed, contactId },
      });
    }
    // The name typed into the form, now that the address's owner has confirmed; never over a stored one.
    if (request.name && request.contact?.name === null) {
      await tx.contact.update({
        where: { id: contactId },
        data: { name: request.name },
        select: { id: true },
      });
    }
    for (const slug of confirmed) {
      await recordConsent(tx, {
        contactId,
        purpose: `newsletter:${slug}`,
        action: "grant",
        legalBasis: "consent",
        source: "double-opt-in",
        evidence: {
          ...input.evidence,
          request: (request.evidence ?? {}) as Prisma.InputJsonObject,
          requestId: request.id,
          requestedAt: request.requestedAt.toISOString(),
          confirmedAt: now.toISOString(),
          method: "double-opt-in",
          ...(lifting ? { liftedSuppression: "erased" } : {}),
        },
        at: now,
      });
    }
    await recordAudit(tx, {
      actor: "subscriber",
      action: "subscription.confirmed",
      subjectType: "contact",
      subjectId: contactId,
      detail: { requestId: request.id, lists: confirmed },
    });
    return { contactId, list: confirmed[0]!, lists: confirmed, changed: true };
  });
}
