import type { CampaignStatus } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";

export interface CampaignSummary {
  id: number;
  slug: string;
  subject: string;
  template: string;
  status: CampaignStatus;
  lists: string[];
  segment: unknown;
  scheduledAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
  /** delivery rows by how far they got: done = sent, failed, uncertain, skipped or bounced */
  deliveries: { total: number; done: number; sent: number; failed: number };
}

/** The newest campaigns first, with their lists and how far each send got (two queries). */
export async function listCampaigns(
  db: Db,
  opts: { take?: number } = {},
): Promise<CampaignSummary[]> {
  const campaigns = await db.campaign.findMany({
    select: {
      id: true,
      slug: true,
      subject: true,
      template: true,
      status: true,
      segment: true,
      scheduledAt: true,
      startedAt: true,
      finishedAt: true,
      updatedAt: true,
      lists: { select: { list: { select: { slug: true } } } },
    },
    orderBy: { id: "desc" },
    take: opts.take ?? 100,
  });
  const groups = await db.delivery.groupBy({
    by: ["campaignId", "status"],
    where: { campaignId: { in: campaigns.map((c) => c.id) } },
    _count: { _all: true },
  });
  return campaigns.map(({ lists, ...c }) => {
    const deliveries = { total: 0, done: 0, sent: 0, failed: 0 };
    for (const g of groups) {
      if (g.campaignId !== c.id) continue;
      const n = g._count._all;
      deliveries.total += n;
      if (g.status !== "queued" && g.status !== "sending") deliveries.done += n;
      if (g.status === "sent") deliveries.sent += n;
      if (g.status === "failed") deliveries.failed += n;
    }
    return { ...c, lists: lists.map((l) => l.list.slug).sort(), deliveries };
  });
}
