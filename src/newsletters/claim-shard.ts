/**
 * A run's hold on one shard: the send lease, renewed with the job's lock on a
 * timer, because between batches is not often enough (a batch waiting out 4xx
 * retries or a slow server can outlast the lock, and another worker would then
 * take the job over while this one still has messages in flight). Claiming a
 * shard whose earlier run stopped turns that run's `sending` rows uncertain.
 */
import os from "node:os";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Db, Logger } from "../types.ts";
import { claimSendLease, releaseSendLease } from "./send-lease.ts";
import { markShardInterrupted, type ShardRange } from "./shards.queries.ts";

export interface ShardClaim {
  owner: string;
  /** the heartbeat could not renew the lease: another run may have the shard now */
  readonly lost: boolean;
  /** renews now (between batches); false when the lease was lost */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export async function claimShard(
  deps: { db: Db; log: Logger; touch(): Promise<void> },
  shard: ShardRange,
  leaseMs: number,
): Promise<ShardClaim | { busyUntil: Date | null }> {
  const { db, log } = deps;
  const owner = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const lease = await claimSendLease(db, shard.id, owner, leaseMs);
  if (!lease.ok) return { busyUntil: lease.until };
  let lost = false;
  const heartbeat = setInterval(
    () => {
      void Promise.all([deps.touch(), claimSendLease(db, shard.id, owner, leaseMs)]).then(
        ([, renewed]) => {
          if (!renewed.ok) lost = true;
        },
        (error: unknown) =>
          log.warn("could not renew the shard's lease", {
            shardId: shard.id,
            error: String(error),
          }),
      );
    },
    Math.max(250, Math.floor(leaseMs / 3)),
  );
  const interrupted = await markShardInterrupted(db, shard).catch((error: unknown) => {
    clearInterval(heartbeat);
    throw error;
  });
  if (interrupted > 0) {
    log.warn("deliveries left in flight by a stopped worker marked uncertain", {
      campaignId: shard.campaignId,
      shardId: shard.id,
      count: interrupted,
    });
    await recordAudit(db, {
      actor: "worker",
      action: "campaign.uncertain",
      subjectType: "campaign",
      subjectId: shard.campaignId,
      detail: { count: interrupted, shard: shard.id },
    });
  }
  return {
    owner,
    get lost() {
      return lost;
    },
    async renew() {
      await deps.touch();
      const renewed = await claimSendLease(db, shard.id, owner, leaseMs);
      if (!renewed.ok) lost = true;
      return !lost;
    },
    async release() {
      clearInterval(heartbeat);
      await releaseSendLease(db, shard.id, owner);
    },
  };
}
