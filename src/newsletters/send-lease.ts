/**
 * One run at a time sends a shard. Agenda locks a job, not a shard, and a
 * resume or a retry can queue a second job for a shard while the first is
 * finishing a batch; the lease (renewed while the run lives, expiring like the
 * job lock) keeps the second from marking the first's in-flight rows uncertain
 * or sending alongside it. A killed worker's lease lapses within the job lock
 * lifetime, and whichever worker takes the shard's job over claims it then.
 * Raw SQL: a conditional UPDATE on the database's clock, so workers' clocks do not matter.
 */
import type { Db } from "../types.ts";

export async function claimSendLease(
  db: Db,
  shardId: number,
  owner: string,
  ms: number,
): Promise<{ ok: boolean; until: Date | null }> {
  const rows = await db.$queryRawUnsafe<Array<{ lease_until: Date | null }>>(
    `UPDATE campaign_shards SET lease_owner = $2, lease_until = now() + ($3::int * interval '1 millisecond')
      WHERE id = $1 AND done_at IS NULL
        AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $2)
      RETURNING lease_until`,
    shardId,
    owner,
    ms,
  );
  if (rows.length === 1) return { ok: true, until: rows[0]!.lease_until };
  const current = await db.campaignShard.findUnique({
    where: { id: shardId },
    select: { leaseUntil: true },
  });
  return { ok: false, until: current?.leaseUntil ?? null };
}

/** Ends the claim; the owner stays on record (who sent the shard, for the report). */
export async function releaseSendLease(db: Db, shardId: number, owner: string): Promise<void> {
  await db.campaignShard.updateMany({
    where: { id: shardId, leaseOwner: owner },
    data: { leaseUntil: null },
  });
}
