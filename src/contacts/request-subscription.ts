import crypto from "node:crypto";
import type { Config } from "../config/load-config.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { hashAddress } from "../consent/address-hash.ts";
import { renderSystemEmail } from "../newsletters/render/render-system-email.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import { confirmUrl } from "../unsubscribe/links.ts";
import { signToken } from "../unsubscribe/tokens.ts";
import type { Clock, Db, Logger, Mailer } from "../types.ts";
import { findListBySlug } from "./find-list-by-slug.ts";
import { requireEmail, upsertContact } from "./upsert-contact.ts";

export interface SubscriptionRequestEvidence {
  ip: string | null;
  userAgent: string | null;
  /** which form the request came from, e.g. "website footer" */
  form: string;
  [key: string]: unknown;
}

/** A pending request younger than this gets no second email: a form must not become a way to flood someone's inbox. */
export const CONFIRMATION_RESEND_AFTER_MS = 5 * 60_000;

type RequestDeps = {
  db: Db;
  config: Pick<
    Config,
    | "signingKeys"
    | "suppressionKey"
    | "publicBaseUrl"
    | "templatesDir"
    | "mailFrom"
    | "postalAddress"
  >;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
};

/**
 * Double opt-in, step one: records a pending subscription and mails a signed
 * confirmation link. The answer is the same whatever happened (new, already
 * subscribed, suppressed, asked a moment ago), so the form tells a visitor
 * nothing about whose address is on file. Consent is only granted in the
 * ledger when the link is followed (confirmSubscription); the request and its
 * evidence go to the audit log.
 */
export async function requestSubscription(
  deps: RequestDeps,
  input: {
    email: string;
    name?: string | null;
    list: string;
    evidence: SubscriptionRequestEvidence;
  },
): Promise<{ accepted: true }> {
  const email = requireEmail(input.email);
  const list = await findListBySlug(deps.db, input.list);
  const now = deps.clock.now();
  const detail = { list: list.slug, evidence: { ...input.evidence } as Prisma.InputJsonObject };

  const hash = hashAddress(deps.config.suppressionKey, email);
  const suppression = await deps.db.suppression.findUnique({
    where: { addressHash: hash },
    select: { reason: true },
  });
  // An erased person may come back by their own double opt-in (the confirmation
  // lifts the suppression); bounces, complaints and manual blocks stay refused.
  if (suppression && suppression.reason !== "erased") {
    await recordAudit(deps.db, {
      actor: "subscriber",
      action: "subscription.requested",
      subjectType: "address_hash",
      subjectId: hash,
      detail: { ...detail, outcome: "suppressed" },
    });
    return { accepted: true };
  }

  const outcome = await deps.db.$transaction(async (tx) => {
    const contact = await upsertContact(tx, { email, name: input.name, overwriteName: false });
    const where = { contactId_listId: { contactId: contact.id, listId: list.id } };
    const current = await tx.subscription.findUnique({
      where,
      select: { status: true, requestedAt: true },
    });
    let result: "already_subscribed" | "recently_requested" | "pending";
    if (current?.status === "subscribed") result = "already_subscribed";
    else if (
      current?.status === "pending" &&
      now.getTime() - current.requestedAt.getTime() < CONFIRMATION_RESEND_AFTER_MS
    )
      result = "recently_requested";
    else {
      result = "pending";
      await tx.subscription.upsert({
        where,
        create: {
          contactId: contact.id,
          listId: list.id,
          status: "pending",
          requestedAt: now,
          source: input.evidence.form,
        },
        // An unsubscribed person stays counted from their unsubscribe date until they confirm.
        update: { status: "pending", requestedAt: now, source: input.evidence.form },
        select: { id: true },
      });
    }
    await recordAudit(tx, {
      actor: "subscriber",
      action: "subscription.requested",
      subjectType: "contact",
      subjectId: contact.id,
      detail: { ...detail, outcome: result },
    });
    return { contact, result };
  });
  if (outcome.result !== "pending") return { accepted: true };

  const token = signToken(deps.config.signingKeys, {
    contactId: outcome.contact.id,
    list: list.slug,
    purpose: "confirm",
  });
  const fromName = /^\s*"?([^"<]*?)"?\s*</.exec(deps.config.mailFrom)?.[1] ?? "";
  const rendered = await renderSystemEmail(deps.config.templatesDir, "confirm-subscription", {
    listName: list.name,
    confirmUrl: confirmUrl(deps.config, token),
    name: outcome.contact.name ?? "",
    fromName,
    postalAddress: deps.config.postalAddress,
  });
  const domain = /@([^>\s]+)>?\s*$/.exec(deps.config.mailFrom)?.[1] ?? "localhost";
  await deps.mailer.send({
    from: deps.config.mailFrom,
    to: email,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId: `confirm.${outcome.contact.id}.${crypto.randomUUID()}@${domain}`,
    headers: { "Auto-Submitted": "auto-generated" },
  });
  deps.log.info("subscription confirmation sent", {
    contactId: outcome.contact.id,
    list: list.slug,
  });
  return { accepted: true };
}
