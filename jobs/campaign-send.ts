import { z } from "zod";
import { defineJob } from "../src/jobs.ts";
import { sendCampaign } from "../src/newsletters/send-campaign.ts";

/** Sends (or carries on sending) one campaign; queued by schedule, resume, and by itself. */
export const campaignSend = defineJob({
  name: "campaign.send",
  payload: z.object({ campaignId: z.number().int().positive() }),
  concurrency: 1,
  async handler({ campaignId }, ctx) {
    await sendCampaign(ctx, campaignId);
  },
});
