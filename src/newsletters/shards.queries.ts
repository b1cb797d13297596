/**
 * The shard table and the delivery ledger seen through one shard's contact-id
 * range (after < contact_id <= up_to, or no upper end on the last shard).
 * Ranges never overlap: they are planned once, under the campaign's row lock,
 * and only the last shard's owner moves its open end (see splitOpenShard).
 */
import type { Db } from "../types.ts";

/** the job that sends one shard; its payload is { campaignId, shardId } */
export const SHARD_JOB = "campaign.send-shard";

export interface ShardRange {
  id: number;
  campaignId: number;
  afterContactId: number;
  /** null: the last shard, open-ended */
  upToContactId: number | null;
}

const shardSelect = { id: true, campaignId: true, afterContactId: true, upToContactId: true };

export async function findShard(
  db: Db,
  shardId: number,
): Promise<(ShardRange & { done: boolean }) | null> {
  const shard = await db.campaignShard.findUnique({
    where: { id: shardId },
    select: { ...shardSelect, doneAt: true },
  });
  return shard && { ...shard, done: shard.doneAt !== null };
}

/** Shards not yet done, in contact order. */
export async function pendingShards(db: Db, campaignId: number): Promise<ShardRange[]> {
  return db.campaignShard.findMany({
    where: { campaignId, doneAt: null },
    select: shardSelect,
    orderBy: { afterContactId: "asc" },
  });
}

const inRange = (shard: ShardRange) => ({
  campaignId: shard.campaignId,
  contactId: {
    gt: shard.afterContactId,
    ...(shard.upToContactId === null ? {} : { lte: shard.upToContactId }),
  },
});

/**
 * Rows of this shard left in `sending` by a run that stopped (its lease
 * lapsed): it may or may not have handed them to SMTP. Never sent again.
 */
export async function markShardInterrupted(db: Db, shard: ShardRange): Promise<number> {
  const result = await db.delivery.updateMany({
    where: { ...inRange(shard), status: "sending" },
    data: {
      status: "uncertain",
      response:
        "the worker stopped while this message was being handed to SMTP; it may or may not have been delivered, so it is not sent again",
    },
  });
  return result.count;
}

/**
 * Where this run's keyset walk starts: before the shard's first row still
 * queued (left by a stopped run or deferred after a 4xx), else after its last row.
 */
export async function shardResumeCursor(db: Db, shard: ShardRange): Promise<number> {
  const queued = await db.delivery.aggregate({
    where: { ...inRange(shard), status: "queued" },
    _min: { contactId: true },
  });
  if (queued._min.contactId !== null) return queued._min.contactId - 1;
  const last = await db.delivery.aggregate({ where: inRange(shard), _max: { contactId: true } });
  return last._max.contactId ?? shard.afterContactId;
}

/** The shard's rows still queued when its walk ends. */
export async function shardLeftovers(
  db: Db,
  shard: ShardRange,
): Promise<Array<{ id: number; attempts: number; response: string | null }>> {
  return db.delivery.findMany({
    where: { ...inRange(shard), status: "queued" },
    select: { id: true, attempts: true, response: true },
  });
}

/** Of these contacts, the shard's deliveries still queued (deferred in this batch). */
export async function queuedDeliveryIds(
  db: Db,
  campaignId: number,
  contactIds: number[],
): Promise<number[]> {
  const rows = await db.delivery.findMany({
    where: { campaignId, contactId: { in: contactIds }, status: "queued" },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/**
 * Closes the last shard at `at` and opens a new last shard after it, when
 * contacts beyond `at` exist (added after planning, or a large tail): the new
 * shard's job lets another worker share the growth. Only the last shard's
 * owner calls this, between batches, so no row of its range is in flight.
 * Returns the new shard's id, or null when there was nothing to split.
 */
export async function splitOpenShard(
  db: Db,
  shard: ShardRange,
  at: number,
): Promise<number | null> {
  const beyond = await db.contact.findFirst({
    where: { id: { gt: at } },
    select: { id: true },
  });
  if (!beyond) return null;
  const [closed, created] = await db.$transaction([
    db.campaignShard.updateMany({
      where: { id: shard.id, upToContactId: null, doneAt: null },
      data: { upToContactId: at },
    }),
    db.$queryRawUnsafe<Array<{ id: number }>>(
      `INSERT INTO campaign_shards (campaign_id, after_contact_id, up_to_contact_id)
       SELECT $1, $2, NULL WHERE EXISTS (SELECT 1 FROM campaign_shards WHERE id = $3 AND up_to_contact_id = $2)
       ON CONFLICT (campaign_id, after_contact_id) DO NOTHING RETURNING id`,
      shard.campaignId,
      at,
      shard.id,
    ),
  ]);
  if (closed.count !== 1) return null;
  shard.upToContactId = at;
  return created[0]?.id ?? null;
}

/** Marks the shard done (and its lease ended); false if it was done already. */
export async function markShardDone(db: Db, shardId: number, owner: string): Promise<boolean> {
  const result = await db.campaignShard.updateMany({
    where: { id: shardId, doneAt: null, leaseOwner: owner },
    data: { doneAt: new Date(), leaseUntil: null },
  });
  return result.count === 1;
}
