import crypto from "node:crypto";
import type { Config } from "../config/load-config.ts";
import type { Envelope, Mailer } from "../types.ts";
import { unsubscribeMailto, unsubscribeUrl } from "../unsubscribe/links.ts";
import { signToken } from "../unsubscribe/tokens.ts";
import { createMessageBuilder } from "./build-message.ts";
import { envelopeSender } from "./bounce-token.ts";
import { senderDomain } from "./message-id.ts";
import type { FrozenCampaign } from "./render/compile-campaign.ts";
import { createPersonaliser, type Personalised } from "./render/personalise.ts";

export interface RecipientInput {
  contactId: number;
  email: string;
  name: string | null;
  company: string | null;
  /** the campaign's lists this contact is subscribed to */
  lists: string[];
}

export interface RenderedMessage {
  envelope: Envelope;
  raw: Buffer;
  personalised: Personalised;
}

/**
 * Everything per campaign is prepared here once (personaliser, MIME
 * skeleton, DKIM key); the returned function does only per-recipient work.
 */
export function createCampaignRenderer(
  deps: { config: Config; mailer: Pick<Mailer, "dkim"> },
  campaign: { id: number; frozen: FrozenCampaign; lists: string[]; subjectPrefix?: string },
): (r: RecipientInput, messageId: string, date: Date) => Promise<RenderedMessage> {
  const { config } = deps;
  const personalise = createPersonaliser(campaign.frozen);
  const domain = senderDomain(config.mailFrom);
  const build = createMessageBuilder({
    from: config.mailFrom,
    boundary: `=_ms_${campaign.id}_${crypto.randomBytes(8).toString("hex")}`,
    dkim: deps.mailer.dkim,
  });
  return async (r, messageId, date) => {
    // A token scoped to the one list that brought this person in; with several, to all of them.
    const list = r.lists.length === 1 ? r.lists[0]! : null;
    const token = signToken(config.signingKeys, {
      contactId: r.contactId,
      list,
      purpose: "unsubscribe",
    });
    const url = unsubscribeUrl(config, token);
    const personalised = personalise({
      name: r.name,
      email: r.email,
      company: r.company,
      unsubscribeUrl: url,
      preferencesUrl: url,
    });
    const listSlug = list ?? campaign.lists[0] ?? "newsletter";
    const raw = await build({
      to: r.email,
      toName: r.name,
      subject: (campaign.subjectPrefix ?? "") + personalised.subject,
      html: personalised.html,
      text: personalised.text,
      messageId,
      date,
      headers: [
        // RFC 2369 §3.2 and RFC 8058: https for one-click POST, mailto as the fallback.
        ["List-Unsubscribe", `<${url}>,\r\n <${unsubscribeMailto(config, token)}>`],
        ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
        // RFC 2919
        ["List-Id", `<${listSlug}.lists.${domain}>`],
        ["Feedback-ID", `c${campaign.id}:${listSlug}:mailsteward:${domain}`],
      ],
    });
    // Return-Path: BOUNCE_ADDRESS, VERP-encoded per delivery when BOUNCE_VERP is on (bounce-token.ts)
    const from = envelopeSender(config, { campaignId: campaign.id, contactId: r.contactId });
    return { envelope: { from, to: r.email }, raw, personalised };
  };
}

const addressPattern =
  /^[^\s@<>()[\],;:"\\]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Why this is not an address we can put in RCPT TO, or null when it is one. */
export function addressProblem(address: string): string | null {
  if (addressPattern.test(address)) return null;
  return `invalid recipient address ${JSON.stringify(address.slice(0, 80))}: expected local-part@domain (RFC 5321 §4.1.2); not sent`;
}

export function domainOfAddress(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}
