import { AppError } from "../errors.ts";
import type { JobQueue } from "../jobs.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Db } from "../types.ts";
import { findCampaign } from "./find-campaign.ts";

/** Stops the campaign for good: every running shard stops between batches; queued deliveries become skipped. */
export async function cancelCampaign(
  deps: { db: Db; queue: JobQueue; actor?: string },
  input: { slug: string },
): Promise<{ skipped: number }> {
  const campaign = await findCampaign(deps.db, input.slug);
  const updated = await deps.db.campaign.updateMany({
    where: { id: campaign.id, status: { in: ["draft", "scheduled", "sending", "paused"] } },
    data: { status: "cancelled", finishedAt: new Date() },
  });
  if (updated.count !== 1)
    throw new AppError(
      "conflict",
      `campaign "${input.slug}" is ${campaign.status}; it can no longer be cancelled`,
    );
  await deps.queue.cancel("campaign.send", { campaignId: campaign.id });
  await deps.queue.cancel("campaign.send-shard", { campaignId: campaign.id });
  const skipped = await deps.db.delivery.updateMany({
    where: { campaignId: campaign.id, status: "queued" },
    data: {
      status: "skipped",
      response: "campaign cancelled before this message was handed to SMTP",
    },
  });
  await recordAudit(deps.db, {
    actor: deps.actor ?? "cli",
    action: "campaign.cancelled",
    subjectType: "campaign",
    subjectId: campaign.id,
    detail: { skipped: skipped.count },
  });
  return { skipped: skipped.count };
}
