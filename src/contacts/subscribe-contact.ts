import type { Config } from "../config/load-config.ts";
import { isSuppressed } from "../consent/suppress-address.ts";
import { recordConsent } from "../consent/record-consent.ts";
import { AppError } from "../errors.ts";
import type { LegalBasis, Prisma } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { fieldProblem } from "./field-limits.ts";
import { findListBySlug } from "./find-list-by-slug.ts";
import { requireEmail, upsertContact } from "./upsert-contact.ts";

export interface SubscribeContactInput {
  email: string;
  name?: string | null;
  list: string;
  /** where the consent was given: "paper form, trade fair 2026-10", "phone call" */
  source: string;
  /** what proves it: who took it, a document reference, the date it was given */
  evidence: Prisma.InputJsonObject;
  legalBasis?: LegalBasis;
  actor?: string;
}

/**
 * Subscribes directly, without a confirmation email, for consent an operator
 * holds evidence of (given on paper, on the phone). The evidence goes into the
 * consent ledger. Refuses suppressed addresses. Idempotent: an active
 * subscription is left as it is and nothing is recorded again.
 */
export async function subscribeContact(
  deps: { db: Db; config: Pick<Config, "suppressionKey">; clock: Clock },
  input: SubscribeContactInput,
): Promise<{ contactId: number; list: string; changed: boolean }> {
  const email = requireEmail(input.email);
  const source = input.source.trim();
  if (source === "")
    throw new AppError(
      "invalid_input",
      'source is empty; say where the consent was given, such as "paper form, trade fair 2026-10"',
    );
  const sourceProblem = fieldProblem("source", source);
  if (sourceProblem) throw new AppError("invalid_input", sourceProblem);
  const list = await findListBySlug(deps.db, input.list);
  if (await isSuppressed(deps.db, deps.config.suppressionKey, email)) {
    throw new AppError(
      "refused",
      `this address is on the suppression list (it unsubscribed, bounced, complained or was erased) and cannot be subscribed to "${list.slug}"`,
    );
  }
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const contact = await upsertContact(tx, { email, name: input.name, overwriteName: true });
    const current = await tx.subscription.findUnique({
      where: { contactId_listId: { contactId: contact.id, listId: list.id } },
      select: { status: true },
    });
    if (current?.status === "subscribed")
      return { contactId: contact.id, list: list.slug, changed: false };
    const data = { status: "subscribed" as const, confirmedAt: now, unsubscribedAt: null, source };
    await tx.subscription.upsert({
      where: { contactId_listId: { contactId: contact.id, listId: list.id } },
      create: { contactId: contact.id, listId: list.id, requestedAt: now, ...data },
      update: data,
      select: { id: true },
    });
    await recordConsent(tx, {
      contactId: contact.id,
      purpose: `newsletter:${list.slug}`,
      action: "grant",
      legalBasis: input.legalBasis ?? "consent",
      source,
      evidence: input.evidence,
      at: now,
    });
    await recordAudit(tx, {
      actor: input.actor ?? "cli",
      action: "subscription.subscribed",
      subjectType: "contact",
      subjectId: contact.id,
      // The source is the operator's free text and may name the person: it stays in the
      // consent ledger (erased with them), never in the audit log.
      detail: {
        list: list.slug,
        direct: true,
        previous: current?.status ?? null,
        contactCreated: contact.created,
      },
    });
    return { contactId: contact.id, list: list.slug, changed: true };
  });
}
