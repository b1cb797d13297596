/**
 * Marks a campaign sent, with its audit entry, exactly once: when its last
 * shard is done. Every shard calls this after marking itself done (a separate,
 * committed statement, so of two shards ending together the later check sees
 * both); the conditional UPDATE takes the campaign's row lock, and a second
 * caller re-reads the row after the first commits and finds it no longer
 * `sending`. A paused campaign does not finish here; its resume does.
 */
import type { Db } from "../types.ts";

export async function finishCampaign(db: Db, campaignId: number, now: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const finished = await tx.$executeRawUnsafe(
      `UPDATE campaigns SET status = 'sent', finished_at = $2, updated_at = now()
        WHERE id = $1 AND status = 'sending'
          AND NOT EXISTS (SELECT 1 FROM campaign_shards WHERE campaign_id = $1 AND done_at IS NULL)`,
      campaignId,
      now,
    );
    if (finished !== 1) return false;
    const groups = await tx.delivery.groupBy({
      by: ["status"],
      where: { campaignId },
      _count: { _all: true },
    });
    await tx.auditEntry.create({
      data: {
        actor: "worker",
        action: "campaign.sent",
        subjectType: "campaign",
        subjectId: String(campaignId),
        detail: Object.fromEntries(groups.map((g) => [g.status, g._count._all])),
      },
    });
    return true;
  });
}
