import {
  compileCampaign,
  type CompileCampaignInput,
  type FrozenCampaign,
} from "./compile-campaign.ts";
import { createPersonaliser, type Personalised, type RecipientFields } from "./personalise.ts";

/** A made-up recipient, so a preview never shows a real person's data. */
export const sampleRecipient: RecipientFields = {
  name: "Alex Example",
  email: "alex@example.com",
  company: "Example Ltd",
  unsubscribeUrl: "https://example.invalid/u/preview",
  preferencesUrl: "https://example.invalid/u/preview",
};

/**
 * What a campaign will look like for one recipient: the same two stages as a
 * real send (freeze, then personalise), for a CLI or admin preview.
 */
export async function previewCampaign(
  input: CompileCampaignInput,
  recipient: Partial<RecipientFields> = {},
): Promise<Personalised & { frozen: FrozenCampaign }> {
  const frozen = await compileCampaign(input);
  const message = createPersonaliser(frozen)({ ...sampleRecipient, ...recipient });
  return { ...message, frozen };
}
