import crypto from "node:crypto";
import type { Config } from "../config/load-config.ts";
import { normaliseAddress } from "../consent/address-hash.ts";
import { AppError } from "../errors.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Db, Logger, Mailer } from "../types.ts";
import { findCampaign } from "./find-campaign.ts";
import { senderDomain } from "./message-id.ts";
import type { FrozenCampaign } from "./render/compile-campaign.ts";
import { freezeCampaign } from "./freeze-campaign.ts";
import {
  createCampaignRenderer,
  type RecipientInput,
  type RenderedMessage,
} from "./render-recipient-message.ts";

export interface PreviewDeps {
  db: Db;
  config: Config;
  mailer?: Pick<Mailer, "dkim">;
  templatesDir?: string;
}

/**
 * One recipient's message exactly as the send job would build it: from the
 * frozen content once scheduled, compiled on the fly while still a draft.
 * Without a contact or address, a sample reader (contact id 0, an example.com
 * address): a preview is shared and saved in files, and a real subscriber's
 * data and live unsubscribe link do not belong there unless asked for.
 */
export async function previewCampaign(
  deps: PreviewDeps,
  input: { slug: string; contactId?: number; email?: string; subjectPrefix?: string },
): Promise<RenderedMessage & { recipient: RecipientInput; messageId: string }> {
  const campaign = await findCampaign(deps.db, input.slug);
  const stored = await deps.db.campaign.findUniqueOrThrow({
    where: { id: campaign.id },
    select: {
      frozenHtml: true,
      frozenText: true,
      frozenSubject: true,
      lists: { select: { list: { select: { id: true, slug: true } } } },
    },
  });
  const frozen: FrozenCampaign =
    stored.frozenHtml !== null
      ? {
          subject: stored.frozenSubject ?? campaign.subject,
          html: stored.frozenHtml,
          text: stored.frozenText ?? "",
        }
      : await freezeCampaign(deps, campaign);
  const lists = stored.lists.map((l) => l.list);
  const recipient = await pickRecipient(deps.db, lists, input);
  const render = createCampaignRenderer(
    { config: deps.config, mailer: deps.mailer ?? { dkim: undefined } },
    {
      id: campaign.id,
      frozen,
      lists: lists.map((l) => l.slug).sort(),
      subjectPrefix: input.subjectPrefix,
    },
  );
  const messageId = `preview.c${campaign.id}.${crypto.randomBytes(6).toString("hex")}@${senderDomain(deps.config.mailFrom)}`;
  return { ...(await render(recipient, messageId, new Date())), recipient, messageId };
}

async function pickRecipient(
  db: Db,
  lists: Array<{ id: number; slug: string }>,
  input: { contactId?: number; email?: string },
): Promise<RecipientInput> {
  const select = {
    id: true,
    email: true,
    name: true,
    company: true,
    subscriptions: {
      where: { status: "subscribed" as const, listId: { in: lists.map((l) => l.id) } },
      select: { list: { select: { slug: true } } },
    },
  };
  const contact =
    input.contactId !== undefined
      ? await db.contact.findUnique({ where: { id: input.contactId }, select })
      : input.email !== undefined
        ? await db.contact.findUnique({ where: { email: normaliseAddress(input.email) }, select })
        : null;
  if (!contact && input.contactId !== undefined)
    throw new AppError(
      "not_found",
      `no contact with id ${input.contactId}; expected the id of an existing contact`,
    );
  if (!contact)
    return {
      contactId: 0,
      email: input.email ?? "preview@example.com",
      name: input.email ? null : "Preview Reader",
      company: null,
      lists: lists.map((l) => l.slug).slice(0, 1),
    };
  return {
    contactId: contact.id,
    email: contact.email,
    name: contact.name,
    company: contact.company,
    lists: contact.subscriptions.map((s) => s.list.slug),
  };
}

/** `campaign test --to`: one real message, subject marked [TEST], no delivery ledger row. */
export async function sendTestMessage(
  deps: PreviewDeps & { mailer: Mailer; log: Logger; actor?: string },
  input: { slug: string; to: string },
): Promise<{ response: string; messageId: string }> {
  const message = await previewCampaign(deps, {
    slug: input.slug,
    email: input.to,
    subjectPrefix: "[TEST] ",
  });
  if (!deps.mailer.sendRaw) throw new AppError("config", "this mailer cannot send raw messages");
  const envelope = { ...message.envelope, to: input.to };
  const result = await deps.mailer.sendRaw(envelope, message.raw);
  const campaign = await findCampaign(deps.db, input.slug);
  await recordAudit(deps.db, {
    actor: deps.actor ?? "cli",
    action: "campaign.test_sent",
    subjectType: "campaign",
    subjectId: campaign.id,
  });
  deps.log.info("test message sent", { campaignId: campaign.id });
  return { response: result.response, messageId: message.messageId };
}
