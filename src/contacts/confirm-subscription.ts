import type { Config } from "../config/load-config.ts";
import { hashAddress } from "../consent/address-hash.ts";
import { recordConsent } from "../consent/record-consent.ts";
import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import { verifyToken } from "../unsubscribe/tokens.ts";
import type { Clock, Db } from "../types.ts";

/**
 * Double opt-in, step two: the person followed the signed link. A pending
 * subscription becomes subscribed and the consent ledger gets the grant with
 * the evidence (IP, user agent, time). Idempotent: a second click, or two at
 * once, is a success that changes nothing. A link cannot revive a
 * subscription the person has since cancelled, nor mail a suppressed address.
 */
export async function confirmSubscription(
  deps: { db: Db; config: Pick<Config, "signingKeys" | "suppressionKey">; clock: Clock },
  input: { token: string; evidence: Prisma.InputJsonObject },
): Promise<{ contactId: number; list: string; changed: boolean }> {
  const scope = verifyToken(deps.config.signingKeys, input.token, "confirm");
  if (scope.list === null)
    throw new AppError(
      "invalid_token",
      "this link's token is not valid: it names no list to confirm",
    );
  const slug = scope.list;
  const now = deps.clock.now();
  const gone = () =>
    new AppError(
      "not_found",
      `there is no subscription request for this link any more; subscribe again to "${slug}"`,
    );

  const found = await deps.db.subscription.findFirst({
    where: { contactId: scope.contactId, list: { slug } },
    select: {
      id: true,
      status: true,
      requestedAt: true,
      listId: true,
      contact: { select: { email: true } },
    },
  });
  if (!found) throw gone();
  if (found.status === "subscribed")
    return { contactId: scope.contactId, list: slug, changed: false };
  if (found.status === "unsubscribed") {
    throw new AppError(
      "refused",
      `this subscription to "${slug}" was cancelled after the confirmation email was sent; subscribe again to receive it`,
    );
  }
  const addressHash = hashAddress(deps.config.suppressionKey, found.contact.email);
  const suppression = await deps.db.suppression.findUnique({
    where: { addressHash },
    select: { reason: true },
  });
  // Erased on request, now back by their own confirmed opt-in: the one way an erasure's suppression is lifted.
  const lifting = suppression?.reason === "erased";
  if (suppression && !lifting) {
    throw new AppError("refused", `this address can no longer be subscribed to "${slug}"`);
  }

  return deps.db.$transaction(async (tx) => {
    // Conditional on `pending`, so of two concurrent clicks only one records the grant.
    const { count } = await tx.subscription.updateMany({
      where: { id: found.id, status: "pending" },
      data: { status: "subscribed", confirmedAt: now, unsubscribedAt: null },
    });
    if (count === 0) return { contactId: scope.contactId, list: slug, changed: false };
    if (lifting) {
      await tx.suppression.deleteMany({ where: { addressHash, reason: "erased" } });
      await recordAudit(tx, {
        actor: "subscriber",
        action: "suppression.lifted",
        subjectType: "address_hash",
        subjectId: addressHash,
        detail: { reason: "erased", by: "double-opt-in", list: slug, contactId: scope.contactId },
      });
    }
    const evidence = {
      ...input.evidence,
      requestedAt: found.requestedAt.toISOString(),
      confirmedAt: now.toISOString(),
      method: "double-opt-in",
      ...(lifting ? { liftedSuppression: "erased" } : {}),
    };
    await recordConsent(tx, {
      contactId: scope.contactId,
      purpose: `newsletter:${slug}`,
      action: "grant",
      legalBasis: "consent",
      source: "double-opt-in",
      evidence,
      at: now,
    });
    await recordAudit(tx, {
      actor: "subscriber",
      action: "subscription.confirmed",
      subjectType: "contact",
      subjectId: scope.contactId,
      detail: { list: slug },
    });
    return { contactId: scope.contactId, list: slug, changed: true };
  });
}
