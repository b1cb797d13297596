/**
 * Sends a whole campaign from this process: starts it (shards planned once),
 * then sends each shard not yet done, one after another, through the same
 * steps a `campaign.send-shard` job takes (claim, next batch, deliver,
 * settle, finish). The worker's jobs share a campaign across processes
 * (queueCampaignShards); this is the one-process path, for the benchmark and
 * tools. A shard another run holds, or one deferred by 4xx answers, is left
 * to its job.
 */
import { sendShard, type SendDeps, type SendStop } from "./send-shard.ts";
import { pendingShards } from "./shards.queries.ts";
import { startCampaignSend } from "./start-campaign-send.ts";

export { MAX_TRIES, RETRY_IN_BATCH_MS, type SendDeps, type SendStop } from "./send-shard.ts";

export async function sendCampaign(deps: SendDeps, campaignId: number): Promise<SendStop> {
  const started = await startCampaignSend(deps, campaignId);
  if (!started) return "not-sendable";
  const tried = new Set<number>();
  let stop: SendStop = "finished";
  // shards split off the open end while sending show up on the next look
  for (let todo = started; todo.length > 0;) {
    for (const shard of todo) {
      tried.add(shard.id);
      const result = await sendShard(deps, { campaignId, shardId: shard.id });
      if (result === "paused" || result === "cancelled" || result === "aborted") return result;
      if (result === "deferred" || result === "busy") stop = result;
    }
    todo = (await pendingShards(deps.db, campaignId)).filter((s) => !tried.has(s.id));
  }
  return stop;
}
