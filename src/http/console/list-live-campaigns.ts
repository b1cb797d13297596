/**
 * The campaigns the dashboard follows: those sending now, with their delivery
 * counts per state, and the next scheduled ones. Two queries plus one count
 * per sending campaign (a handful at a time).
 */
import type { CampaignSummary } from "../../newsletters/list-campaigns.ts";
import type { Db } from "../../types.ts";
import type { SendCounts } from "./send-progress.ts";

export type LiveCampaign = Pick<
  CampaignSummary,
  | "id"
  | "slug"
  | "subject"
  | "status"
  | "lists"
  | "segment"
  | "scheduledAt"
  | "startedAt"
  | "finishedAt"
>;

export interface SendingCampaign extends LiveCampaign {
  counts: SendCounts;
}

const select = {
  id: true,
  slug: true,
  subject: true,
  status: true,
  segment: true,
  scheduledAt: true,
  startedAt: true,
  finishedAt: true,
  lists: { select: { list: { select: { slug: true } } } },
} as const;

export async function listLiveCampaigns(
  db: Db,
  opts: { scheduled: number },
): Promise<{ sending: SendingCampaign[]; scheduled: LiveCampaign[] }> {
  const [sending, scheduled] = await Promise.all([
    db.campaign.findMany({ where: { status: "sending" }, select, orderBy: { startedAt: "asc" } }),
    db.campaign.findMany({
      where: { status: "scheduled" },
      select,
      orderBy: [{ scheduledAt: { sort: "asc", nulls: "first" } }, { id: "asc" }],
      take: opts.scheduled,
    }),
  ]);
  const groups = await db.delivery.groupBy({
    by: ["campaignId", "status"],
    where: { campaignId: { in: sending.map((c) => c.id) } },
    _count: { _all: true },
  });
  const flat = ({ lists, ...c }: (typeof sending)[number]): LiveCampaign => ({
    ...c,
    lists: lists.map((l) => l.list.slug).sort(),
  });
  return {
    sending: sending.map((c) => {
      const counts: SendCounts = {
        sent: 0,
        failed: 0,
        uncertain: 0,
        skipped: 0,
        bounced: 0,
        total: 0,
      };
      for (const g of groups) {
        if (g.campaignId !== c.id) continue;
        const n = g._count._all;
        counts.total += n;
        if (g.status in counts) counts[g.status as keyof SendCounts] += n;
      }
      return { ...flat(c), counts };
    }),
    scheduled: scheduled.map(flat),
  };
}
