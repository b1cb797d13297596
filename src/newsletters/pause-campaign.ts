import { AppError } from "../errors.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Db } from "../types.ts";
import { findCampaign } from "./find-campaign.ts";

/** Every shard stops between batches; every recipient not yet handed over keeps waiting for resume. */
export async function pauseCampaign(
  deps: { db: Db; actor?: string },
  input: { slug: string },
): Promise<void> {
  const campaign = await findCampaign(deps.db, input.slug);
  const updated = await deps.db.campaign.updateMany({
    where: { id: campaign.id, status: { in: ["scheduled", "sending"] } },
    data: { status: "paused" },
  });
  if (updated.count !== 1)
    throw new AppError(
      "conflict",
      `campaign "${input.slug}" is ${campaign.status}; only a scheduled or sending campaign can be paused`,
    );
  await recordAudit(deps.db, {
    actor: deps.actor ?? "cli",
    action: "campaign.paused",
    subjectType: "campaign",
    subjectId: campaign.id,
  });
}
