import type { Config } from "../config/load-config.ts";
import type { JobQueue } from "../jobs.ts";
import type { Clock, Db, Logger } from "../types.ts";
import { finishCampaign } from "./finish-campaign.ts";
import { SHARD_JOB } from "./shards.queries.ts";
import { startCampaignSend } from "./start-campaign-send.ts";

/**
 * The body of the `campaign.send` job (queued by schedule and resume): starts
 * the campaign and queues one `campaign.send-shard` job per shard not yet
 * done, which every worker sharing the database takes (one shard per worker
 * at a time). Earlier shard jobs are left alone: one still finishing its last
 * batch after a pause must not lose its row under it, and a second job for a
 * shard finds it leased (and looks again) or done. With every shard done (a campaign resumed after its
 * last shard ended while paused) it finishes the campaign here.
 */
export async function queueCampaignShards(
  deps: { db: Db; config: Config; clock: Clock; log: Logger; queue: JobQueue },
  campaignId: number,
): Promise<number> {
  const pending = await startCampaignSend(deps, campaignId);
  if (!pending) return 0;
  if (pending.length === 0) {
    await finishCampaign(deps.db, campaignId, deps.clock.now());
    return 0;
  }
  for (const shard of pending) await deps.queue.now(SHARD_JOB, { campaignId, shardId: shard.id });
  deps.log.info("campaign shards queued", { campaignId, shards: pending.length });
  return pending.length;
}
