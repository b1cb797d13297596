import { z } from "zod";
import { defineJob } from "../src/jobs.ts";
import { queueCampaignShards } from "../src/newsletters/queue-campaign-shards.ts";

/** Starts (or resumes) one campaign: plans its shards and queues a campaign.send-shard job for each. */
export const campaignSend = defineJob({
  name: "campaign.send",
  payload: z.object({ campaignId: z.number().int().positive() }),
  concurrency: 1,
  async handler({ campaignId }, ctx) {
    await queueCampaignShards(ctx, campaignId);
  },
});
