import type { Config } from "../config/load-config.ts";
import type { JobQueue } from "../jobs.ts";
import type { Clock, Db, Logger } from "../types.ts";
import { SHARD_JOB, shardLeftovers, type ShardRange } from "./shards.queries.ts";

export const MAX_TRIES = 5;

/**
 * When a shard's walk ends, the rows it still has queued were either deferred
 * by this run (4xx on every try: the shard's job runs again later, with
 * backoff, unless they have had MAX_TRIES tries and fail) or belong to
 * contacts that left the audience or were suppressed since (skipped).
 */
export async function settleShard(
  deps: { db: Db; config: Config; clock: Clock; log: Logger; queue: JobQueue },
  shard: ShardRange,
  deferredIds: Set<number>,
): Promise<"settled" | "deferred"> {
  const { db } = deps;
  const leftover = await shardLeftovers(db, shard);
  const retry = leftover.filter((d) => deferredIds.has(d.id) && d.attempts < MAX_TRIES);
  const exhausted = leftover.filter((d) => deferredIds.has(d.id) && d.attempts >= MAX_TRIES);
  const gone = leftover.filter((d) => !deferredIds.has(d.id));
  if (gone.length > 0) {
    await db.delivery.updateMany({
      where: { id: { in: gone.map((d) => d.id) }, status: "queued" },
      data: {
        status: "skipped",
        response: "no longer subscribed, or suppressed, when its batch started",
      },
    });
  }
  for (const d of exhausted) {
    await db.delivery.updateMany({
      where: { id: d.id, status: "queued" },
      data: {
        status: "failed",
        response: `gave up after ${d.attempts} tries; last answer: ${d.response ?? "none"}`,
      },
    });
  }
  if (retry.length === 0) return "settled";
  const tries = Math.max(...retry.map((d) => d.attempts));
  const at = new Date(
    deps.clock.now().getTime() + deps.config.sendRetryDelaySeconds * 1000 * 2 ** (tries - 1),
  );
  await deps.queue.at(at, SHARD_JOB, { campaignId: shard.campaignId, shardId: shard.id });
  deps.log.info("shard has deferred deliveries; retrying later", {
    campaignId: shard.campaignId,
    shardId: shard.id,
    deferred: retry.length,
    at: at.toISOString(),
  });
  return "deferred";
}
