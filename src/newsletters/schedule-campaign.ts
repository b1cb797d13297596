import type { Config } from "../config/load-config.ts";
import { AppError } from "../errors.ts";
import type { JobQueue } from "../jobs.ts";
import { guardSensitiveContent } from "../privacy/guard-sensitive-content.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db, Logger } from "../types.ts";
import { findCampaign } from "./find-campaign.ts";
import { freezeCampaign } from "./freeze-campaign.ts";

export interface CampaignDeps {
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
  queue: JobQueue;
  templatesDir?: string;
  actor?: string;
}

/**
 * Freezes the campaign (MJML compiled once, strict; subject checked) and
 * queues `campaign.send` for `at` (default: now). Any template or subject
 * error is thrown here, before a single delivery row exists. So is content
 * that trips the sensitive-data scanner, unless `allowSensitive` gives the
 * operator's reason (recorded in the audit log).
 */
export async function scheduleCampaign(
  deps: CampaignDeps,
  input: { slug: string; at?: Date; allowSensitive?: string },
): Promise<{ id: number; scheduledAt: Date }> {
  const campaign = await findCampaign(deps.db, input.slug);
  if (campaign.status !== "draft" && campaign.status !== "scheduled") {
    throw new AppError(
      "conflict",
      `campaign "${input.slug}" is ${campaign.status}; only a draft or scheduled campaign can be (re)scheduled`,
    );
  }
  const frozen = await freezeCampaign(deps, campaign);
  await guardSensitiveContent(deps, {
    campaign: { id: campaign.id, slug: campaign.slug },
    subject: frozen.subject,
    text: frozen.text,
    override: input.allowSensitive,
    actor: deps.actor ?? "cli",
  });
  const now = deps.clock.now();
  const at = input.at && input.at > now ? input.at : now;
  const updated = await deps.db.campaign.updateMany({
    where: { id: campaign.id, status: { in: ["draft", "scheduled"] } },
    data: {
      status: "scheduled",
      scheduledAt: at,
      frozenHtml: frozen.html,
      frozenText: frozen.text,
      frozenSubject: frozen.subject,
    },
  });
  if (updated.count !== 1)
    throw new AppError(
      "conflict",
      `campaign "${input.slug}" changed state while being scheduled; look at it again`,
    );
  // A re-schedule replaces the earlier run.
  await deps.queue.cancel("campaign.send", { campaignId: campaign.id });
  if (at > now) await deps.queue.at(at, "campaign.send", { campaignId: campaign.id });
  else await deps.queue.now("campaign.send", { campaignId: campaign.id });
  await recordAudit(deps.db, {
    actor: deps.actor ?? "cli",
    action: "campaign.scheduled",
    subjectType: "campaign",
    subjectId: campaign.id,
    detail: { at: at.toISOString(), htmlBytes: frozen.html.length },
  });
  deps.log.info("campaign scheduled", { campaignId: campaign.id, at: at.toISOString() });
  return { id: campaign.id, scheduledAt: at };
}
