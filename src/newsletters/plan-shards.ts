/**
 * Splits a campaign's audience into shards of `size` contact ids, once: the
 * ranges cover every contact id from the lowest to the highest at planning,
 * and the last one is open-ended, so contacts added later (ids only grow) fall
 * in it and it splits again as they come (splitOpenShard). Ranges are of ids,
 * not of recipients: a sparse audience makes smaller shards, and an empty one
 * costs one query. A campaign whose deliveries began before shards existed is
 * planned the same way and each shard resumes from the ledger.
 */
import type { Db } from "../types.ts";

export async function planShards(db: Db, campaignId: number, size: number): Promise<number> {
  const [, inserted] = await db.$transaction([
    // The campaign's row lock serialises planners (a resume may queue a second
    // run of the planning job): the second sees the first's shards and adds none,
    // where two plans made at different audience sizes would overlap.
    db.$executeRawUnsafe(`SELECT 1 FROM campaigns WHERE id = $1 FOR UPDATE`, campaignId),
    db.$executeRawUnsafe(
      `WITH bounds AS (SELECT coalesce(min(id), 1) - 1 AS lo, coalesce(max(id), 0) AS hi FROM contacts),
            starts AS (
              SELECT lo + s * $2::int AS after, lo, hi
                FROM bounds, generate_series(0, greatest(0, (hi - lo - 1) / $2::int)) AS s
            )
       INSERT INTO campaign_shards (campaign_id, after_contact_id, up_to_contact_id)
       SELECT $1, after, CASE WHEN after + $2::int >= hi THEN NULL ELSE after + $2::int END
         FROM starts
        WHERE NOT EXISTS (SELECT 1 FROM campaign_shards WHERE campaign_id = $1)
       ON CONFLICT (campaign_id, after_contact_id) DO NOTHING`,
      campaignId,
      size,
    ),
  ]);
  return inserted;
}
