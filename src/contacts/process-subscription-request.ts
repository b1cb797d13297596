/**
 * Double opt-in, step one: a recorded request becomes a pending request and
 * one confirmation email, or is dropped without a word to the visitor
 * (already subscribed, suppressed, mailed a moment ago). Invariants:
 * - a form never changes a stored contact's fields: the contact is found or
 *   created by address only, the typed name waits in the request;
 * - the email carries no form-supplied text, only our template, the list
 *   names and the link (otherwise the form relays phishing from our domain);
 * - at most one confirmation per mailbox (subaddresses included) within
 *   CONFIRMATION_RESEND_AFTER_MS, however many lists or +tags are asked for;
 * - one request is pending per contact: a new one supersedes the old, whose
 *   link then stops working.
 */
import crypto from "node:crypto";
import type { Config } from "../config/load-config.ts";
import { hashAddress } from "../consent/address-hash.ts";
import { renderSystemEmail } from "../newsletters/render/render-system-email.ts";
import { toLocale } from "../i18n/pick-locale.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import { signConfirmToken } from "../unsubscribe/confirm-token.ts";
import { confirmUrl } from "../unsubscribe/links.ts";
import type { Clock, Db, Logger, Mailer } from "../types.ts";
import { mailboxOf } from "./contact-row.ts";
import { upsertContact } from "./upsert-contact.ts";

/** A mailbox mailed a confirmation less than this long ago gets no second one. */
export const CONFIRMATION_RESEND_AFTER_MS = 5 * 60_000;

export type ProcessDeps = {
  db: Db;
  config: Pick<
    Config,
    | "signingKeys"
    | "suppressionKey"
    | "publicBaseUrl"
    | "templatesDir"
    | "mailFrom"
    | "postalAddress"
  > &
    Partial<Pick<Config, "defaultLanguage">>;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
};

export type RequestOutcome =
  "pending" | "already_subscribed" | "recently_requested" | "suppressed" | "gone";

export async function processSubscriptionRequest(
  deps: ProcessDeps,
  requestId: number,
): Promise<{ outcome: RequestOutcome }> {
  const request = await deps.db.subscriptionRequest.findUnique({
    where: { id: requestId },
    select: { id: true, email: true, lists: true, status: true, evidence: true, language: true },
  });
  if (!request || request.status !== "received" || request.email === null)
    return { outcome: "gone" };
  const email = request.email;
  const now = deps.clock.now();
  const key = deps.config.suppressionKey;
  const detail = { requestId, lists: request.lists, evidence: request.evidence ?? {} };

  const addressHash = hashAddress(key, email);
  const suppression = await deps.db.suppression.findUnique({
    where: { addressHash },
    select: { reason: true },
  });
  // An erased person may come back by their own double opt-in (the confirmation
  // lifts the suppression); bounces, complaints and manual blocks stay refused.
  if (suppression && suppression.reason !== "erased") {
    await deps.db.$transaction(async (tx) => {
      await tx.subscriptionRequest.update({
        where: { id: requestId },
        data: { status: "dropped", email: null },
        select: { id: true },
      });
      await recordAudit(tx, {
        actor: "subscriber",
        action: "subscription.requested",
        subjectType: "address_hash",
        subjectId: addressHash,
        detail: { ...detail, outcome: "suppressed" },
      });
    });
    return { outcome: "suppressed" };
  }

  const lists = await deps.db.list.findMany({
    where: { slug: { in: request.lists } },
    select: { id: true, slug: true, name: true },
    orderBy: { slug: "asc" },
  });
  const mailboxHash = hashAddress(key, mailboxOf(email));
  const result = await deps.db.$transaction(async (tx) => {
    const contact = await upsertContact(tx, { email, name: null, overwriteName: false });
    const current = await tx.subscription.findMany({
      where: { contactId: contact.id, listId: { in: lists.map((l) => l.id) } },
      select: { listId: true, status: true },
    });
    const wanted = lists.filter(
      (l) => current.find((s) => s.listId === l.id)?.status !== "subscribed",
    );
    let outcome: RequestOutcome = "pending";
    if (wanted.length === 0) outcome = "already_subscribed";
    else if (
      (await tx.subscriptionRequest.count({
        where: {
          mailboxHash,
          mailedAt: { gt: new Date(now.getTime() - CONFIRMATION_RESEND_AFTER_MS) },
        },
      })) > 0
    )
      outcome = "recently_requested";
    if (outcome !== "pending") {
      await tx.subscriptionRequest.update({
        where: { id: requestId },
        data: { status: "dropped", email: null, contactId: contact.id },
        select: { id: true },
      });
    } else {
      await tx.subscriptionRequest.updateMany({
        where: { contactId: contact.id, status: "pending" },
        data: { status: "superseded" },
      });
      await tx.subscriptionRequest.update({
        where: { id: requestId },
        data: {
          status: "pending",
          email: null,
          contactId: contact.id,
          mailboxHash,
          mailedAt: now,
          lists: wanted.map((l) => l.slug),
        },
        select: { id: true },
      });
      const source = formOf(request.evidence);
      for (const list of wanted) {
        const where = { contactId_listId: { contactId: contact.id, listId: list.id } };
        await tx.subscription.upsert({
          where,
          create: {
            contactId: contact.id,
            listId: list.id,
            status: "pending",
            requestedAt: now,
            source,
          },
          // An unsubscribed person stays counted from their unsubscribe date until they confirm.
          update: { status: "pending", requestedAt: now, source },
          select: { id: true },
        });
      }
    }
    await recordAudit(tx, {
      actor: "subscriber",
      action: "subscription.requested",
      subjectType: "contact",
      subjectId: contact.id,
      detail: { ...detail, outcome },
    });
    return { outcome, contactId: contact.id, wanted };
  });
  if (result.outcome !== "pending") return { outcome: result.outcome };

  const token = signConfirmToken(deps.config.signingKeys, { requestId, issuedAt: now });
  const fromName = /^\s*"?([^"<]*?)"?\s*</.exec(deps.config.mailFrom)?.[1] ?? "";
  // The language of the page the person signed up on, else the one stored for them, else the default.
  const stored = await deps.db.contact.findUnique({
    where: { id: result.contactId },
    select: { language: true },
  });
  const locale =
    toLocale(request.language) ?? toLocale(stored?.language) ?? deps.config.defaultLanguage ?? "en";
  const rendered = await renderSystemEmail(
    deps.config.templatesDir,
    "confirm-subscription",
    {
      listName: joinNames(result.wanted.map((l) => l.name)),
      confirmUrl: confirmUrl(deps.config, token),
      fromName,
      postalAddress: deps.config.postalAddress,
    },
    locale,
  );
  const domain = /@([^>\s]+)>?\s*$/.exec(deps.config.mailFrom)?.[1] ?? "localhost";
  await deps.mailer.send({
    from: deps.config.mailFrom,
    to: email,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId: `confirm.${result.contactId}.${crypto.randomUUID()}@${domain}`,
    headers: { "Auto-Submitted": "auto-generated" },
  });
  deps.log.info("subscription confirmation sent", {
    contactId: result.contactId,
    requestId,
    lists: result.wanted.length,
  });
  return { outcome: "pending" };
}

function formOf(evidence: unknown): string {
  const form = (evidence as { form?: unknown } | null)?.form;
  return typeof form === "string" && form !== "" ? form.slice(0, 100) : "web form";
}

/** "A", "A and B", "A, B and C" */
function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
