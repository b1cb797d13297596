import { AppError } from "../errors.ts";
import type { JobQueue } from "../jobs.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { findCampaign } from "./find-campaign.ts";

/**
 * Queues the send job again, which queues the shards not yet done. Each
 * carries on from the delivery ledger, not from a high-water mark, so nobody
 * already handed to SMTP is sent to twice.
 */
export async function resumeCampaign(
  deps: { db: Db; queue: JobQueue; clock: Clock; actor?: string },
  input: { slug: string },
): Promise<void> {
  const campaign = await findCampaign(deps.db, input.slug);
  const status = campaign.startedAt ? "sending" : "scheduled";
  const updated = await deps.db.campaign.updateMany({
    where: { id: campaign.id, status: "paused" },
    data: { status },
  });
  if (updated.count !== 1)
    throw new AppError(
      "conflict",
      `campaign "${input.slug}" is ${campaign.status}; only a paused campaign can be resumed`,
    );
  await deps.queue.cancel("campaign.send", { campaignId: campaign.id });
  const at = campaign.scheduledAt;
  if (!campaign.startedAt && at && at > deps.clock.now())
    await deps.queue.at(at, "campaign.send", { campaignId: campaign.id });
  else await deps.queue.now("campaign.send", { campaignId: campaign.id });
  await recordAudit(deps.db, {
    actor: deps.actor ?? "cli",
    action: "campaign.resumed",
    subjectType: "campaign",
    subjectId: campaign.id,
  });
}
