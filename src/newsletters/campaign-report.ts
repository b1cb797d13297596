import type { DeliveryStatus } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";
import { findCampaign } from "./find-campaign.ts";

export interface CampaignReport {
  id: number;
  slug: string;
  status: string;
  scheduledAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  counts: Record<DeliveryStatus, number> & { total: number };
  /** handed to SMTP (or about to be) when a worker died: never re-sent automatically */
  uncertain: Array<{ contactId: number; messageId: string; response: string | null }>;
  failures: Array<{ contactId: number; response: string | null; attempts: number }>;
  /** failures beyond those listed */
  moreFailures: number;
  /** the audience's shards: how many, how many done, how many a worker is sending now */
  shards: { total: number; done: number; sending: number };
}

const statuses: DeliveryStatus[] = ["queued", "sending", "sent", "failed", "uncertain", "skipped"];

export async function campaignReport(
  db: Db,
  slug: string,
  opts: { failureLimit?: number } = {},
): Promise<CampaignReport> {
  const found = await findCampaign(db, slug);
  const campaign = await db.campaign.findUniqueOrThrow({
    where: { id: found.id },
    select: {
      id: true,
      slug: true,
      status: true,
      scheduledAt: true,
      startedAt: true,
      finishedAt: true,
    },
  });
  const groups = await db.delivery.groupBy({
    by: ["status"],
    where: { campaignId: campaign.id },
    _count: { _all: true },
  });
  const counts = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  let total = 0;
  for (const g of groups) {
    counts[g.status] = g._count._all;
    total += g._count._all;
  }
  const uncertain = await db.delivery.findMany({
    where: { campaignId: campaign.id, status: "uncertain" },
    select: { contactId: true, messageId: true, response: true },
    orderBy: { contactId: "asc" },
  });
  const limit = opts.failureLimit ?? 100;
  const failures = await db.delivery.findMany({
    where: { campaignId: campaign.id, status: "failed" },
    select: { contactId: true, response: true, attempts: true },
    orderBy: { contactId: "asc" },
    take: limit,
  });
  const shards = await db.$queryRawUnsafe<Array<{ total: number; done: number; sending: number }>>(
    // Raw SQL: three counts in one pass, and the lease compared on the database's clock.
    `SELECT count(*)::int AS total, count(done_at)::int AS done,
            count(*) FILTER (WHERE done_at IS NULL AND lease_until > now())::int AS sending
       FROM campaign_shards WHERE campaign_id = $1`,
    campaign.id,
  );
  return {
    ...campaign,
    shards: shards[0] ?? { total: 0, done: 0, sending: 0 },
    counts: { ...counts, total },
    uncertain,
    failures,
    moreFailures: Math.max(0, counts.failed - failures.length),
  };
}
