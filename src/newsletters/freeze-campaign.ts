import type { Config } from "../config/load-config.ts";
import { toLocale } from "../i18n/pick-locale.ts";
import { compileCampaign, type FrozenCampaign } from "./render/compile-campaign.ts";

/**
 * Compiles a stored campaign's template and content into the frozen
 * per-campaign message that recipients' copies are personalised from.
 */
export function freezeCampaign(
  deps: {
    config: Pick<Config, "templatesDir" | "postalAddress" | "mailFrom"> &
      Partial<Pick<Config, "defaultLanguage">>;
    templatesDir?: string;
  },
  campaign: {
    template: string;
    subject: string;
    preheader: string | null;
    content: unknown;
    language?: string | null;
  },
): Promise<FrozenCampaign> {
  return compileCampaign({
    templatesDir: deps.templatesDir ?? deps.config.templatesDir,
    template: campaign.template,
    subject: campaign.subject,
    preheader: campaign.preheader,
    content: campaign.content,
    postalAddress: deps.config.postalAddress,
    fromName: displayName(deps.config.mailFrom),
    language: toLocale(campaign.language) ?? deps.config.defaultLanguage ?? "en",
  });
}

/** "News <news@example.com>" → "News" */
export function displayName(from: string): string | undefined {
  const match = /^\s*"?([^"<]*?)"?\s*</.exec(from);
  return match?.[1] ? match[1] : undefined;
}
