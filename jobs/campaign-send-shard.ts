import { z } from "zod";
import { defineJob } from "../src/jobs.ts";
import { sendShard } from "../src/newsletters/send-shard.ts";

/**
 * Sends one shard of a campaign; queued by campaign.send, and by itself (4xx
 * retries, a shard busy elsewhere, a worker stopping). One at a time per
 * worker, and locked one at a time, so the shards spread over the workers and
 * a worker's messages in flight stay at most its SMTP pool.
 */
export const campaignSendShard = defineJob({
  name: "campaign.send-shard",
  payload: z.object({
    campaignId: z.number().int().positive(),
    shardId: z.number().int().positive(),
  }),
  concurrency: 1,
  lockLimit: 1,
  async handler(payload, ctx) {
    await sendShard(ctx, payload);
  },
});
