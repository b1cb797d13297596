import { AppError } from "../errors.ts";
import type { JobQueue } from "../jobs.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { findCampaign } from "./find-campaign.ts";

/**
 * Stops the campaign for good: every running shard stops between batches
 * (each reads the status before its next batch); queued deliveries become
 * skipped. The status, the skipped rows and the audit entry commit together;
 * the queued jobs are removed after that, and one that starts meanwhile finds
 * the campaign cancelled and does nothing.
 */
export async function cancelCampaign(
  deps: { db: Db; clock: Clock; queue: JobQueue; actor?: string },
  input: { slug: string },
): Promise<{ skipped: number }> {
  const campaign = await findCampaign(deps.db, input.slug);
  const skipped = await deps.db.$transaction(async (tx) => {
    const updated = await tx.campaign.updateMany({
      where: { id: campaign.id, status: { in: ["draft", "scheduled", "sending", "paused"] } },
      data: { status: "cancelled", finishedAt: deps.clock.now() },
    });
    if (updated.count !== 1)
      throw new AppError(
        "conflict",
        `campaign "${input.slug}" is ${campaign.status}; it can no longer be cancelled`,
      );
    const { count } = await tx.delivery.updateMany({
      where: { campaignId: campaign.id, status: "queued" },
      data: {
        status: "skipped",
        response: "campaign cancelled before this message was handed to SMTP",
      },
    });
    await recordAudit(tx, {
      actor: deps.actor ?? "cli",
      action: "campaign.cancelled",
      subjectType: "campaign",
      subjectId: campaign.id,
      detail: { skipped: count },
    });
    return count;
  });
  await deps.queue.cancel("campaign.send", { campaignId: campaign.id });
  await deps.queue.cancel("campaign.send-shard", { campaignId: campaign.id });
  return { skipped };
}
