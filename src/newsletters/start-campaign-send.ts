import type { Config } from "../config/load-config.ts";
import type { Clock, Db, Logger } from "../types.ts";
import { planShards } from "./plan-shards.ts";
import { pendingShards, type ShardRange } from "./shards.queries.ts";

/**
 * The first step of every send: a scheduled campaign becomes `sending`, its
 * audience is split into shards (once), and the shards not yet done are
 * returned. Null when the campaign is not to be sent (paused, cancelled,
 * sent, or never frozen).
 */
export async function startCampaignSend(
  deps: { db: Db; config: Config; clock: Clock; log: Logger },
  campaignId: number,
): Promise<ShardRange[] | null> {
  const { db, log } = deps;
  const campaign = await db.campaign.findUnique({
    where: { id: campaignId },
    select: { status: true, frozenHtml: true, startedAt: true },
  });
  if (
    !campaign ||
    !["scheduled", "sending"].includes(campaign.status) ||
    campaign.frozenHtml === null
  ) {
    log.info("campaign not sendable; send job ends", {
      campaignId,
      status: campaign?.status ?? "missing",
    });
    return null;
  }
  if (campaign.status === "scheduled") {
    await db.campaign.updateMany({
      where: { id: campaignId, status: "scheduled" },
      data: { status: "sending", startedAt: campaign.startedAt ?? deps.clock.now() },
    });
  }
  const planned = await planShards(db, campaignId, deps.config.sendShardSize);
  if (planned > 0) log.info("campaign audience split into shards", { campaignId, shards: planned });
  return pendingShards(db, campaignId);
}
