import type { Db } from "../types.ts";

export interface CampaignOutcomes {
  /** DSNs the inbox tied to this campaign's deliveries, by verdict (src/inbox/bounce-verdict.ts) */
  bounces: { hard: number; soft: number; policy: number; unknown: number };
  /** people who withdrew a newsletter consent after this campaign reached them, by how (one-click, ...) */
  unsubscribes: { total: number; bySource: Array<{ source: string; count: number }> };
  /** the send over time: messages handed to SMTP (sent) and given up on (failed) per bucket */
  timeline: { bucketSeconds: number; points: Array<{ at: Date; sent: number; failed: number }> };
}

/** Within this long after a campaign reached someone, their unsubscribe counts against it. */
export const attributionDays = 30;
const bucketChoices = [1, 5, 10, 30, 60, 300, 900, 3600, 21_600, 86_400];
const maxPoints = 60;

/**
 * What came of a campaign beyond the delivery ledger (campaignReport has the
 * counts per state). Unsubscribe links do not name the campaign, so an
 * unsubscribe is attributed to the last campaign that reached the person
 * before it, within `attributionDays` (what listmonk and Mailchimp report as
 * "unsubscribed from this campaign"). Erased people are gone from both sides.
 * Raw SQL: the attribution's NOT EXISTS over later deliveries and the time
 * buckets have no Prisma form.
 */
export async function campaignOutcomes(
  db: Db,
  campaign: { id: number; startedAt: Date | null; finishedAt: Date | null },
  now: Date,
): Promise<CampaignOutcomes> {
  const bounceRows = await db.$queryRawUnsafe<Array<{ verdict: string; n: number }>>(
    `SELECT b.verdict, count(*)::int AS n
       FROM bounce_events b JOIN deliveries d ON d.id = b.delivery_id
      WHERE d.campaign_id = $1
      GROUP BY b.verdict`,
    campaign.id,
  );
  const bounces = { hard: 0, soft: 0, policy: 0, unknown: 0 };
  for (const r of bounceRows) {
    const kind = r.verdict in bounces ? (r.verdict as keyof typeof bounces) : "unknown";
    bounces[kind] += r.n;
  }

  const unsubscribeRows = await db.$queryRawUnsafe<Array<{ source: string; n: number }>>(
    `SELECT source, count(*)::int AS n FROM (
       SELECT DISTINCT ON (d.contact_id) d.contact_id, e.source
         FROM deliveries d
         JOIN consent_events e
           ON e.contact_id = d.contact_id AND e.action = 'withdraw' AND e.purpose LIKE 'newsletter:%'
          AND e.occurred_at >= d.sent_at AND e.occurred_at < d.sent_at + make_interval(days => $2)
        WHERE d.campaign_id = $1 AND d.sent_at IS NOT NULL
          AND NOT EXISTS (
            SELECT 1 FROM deliveries later
             WHERE later.contact_id = d.contact_id AND later.campaign_id <> d.campaign_id
               AND later.sent_at > d.sent_at AND later.sent_at <= e.occurred_at)
        ORDER BY d.contact_id, e.occurred_at) first_withdrawal
      GROUP BY source ORDER BY n DESC, source`,
    campaign.id,
    attributionDays,
  );
  const unsubscribes = {
    total: unsubscribeRows.reduce((sum, r) => sum + r.n, 0),
    bySource: unsubscribeRows.map((r) => ({ source: r.source, count: r.n })),
  };

  return { bounces, unsubscribes, timeline: await sendTimeline(db, campaign, now) };
}

async function sendTimeline(
  db: Db,
  campaign: { id: number; startedAt: Date | null; finishedAt: Date | null },
  now: Date,
): Promise<CampaignOutcomes["timeline"]> {
  if (!campaign.startedAt) return { bucketSeconds: 60, points: [] };
  const start = campaign.startedAt.getTime();
  const span = Math.max(1, ((campaign.finishedAt ?? now).getTime() - start) / 1000);
  const bucketSeconds =
    bucketChoices.find((b) => span / b <= maxPoints) ?? bucketChoices[bucketChoices.length - 1]!;
  const rows = await db.$queryRawUnsafe<Array<{ bucket: number; sent: number; failed: number }>>(
    `SELECT greatest(0, floor((extract(epoch FROM coalesce(sent_at, updated_at)) - $2) / $3))::int AS bucket,
            count(*) FILTER (WHERE status IN ('sent', 'bounced'))::int AS sent,
            count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM deliveries
      WHERE campaign_id = $1 AND status IN ('sent', 'bounced', 'failed')
      GROUP BY 1 ORDER BY 1`,
    campaign.id,
    start / 1000,
    bucketSeconds,
  );
  const last = Math.min(
    Math.max(Math.ceil(span / bucketSeconds) - 1, rows.at(-1)?.bucket ?? 0, 0),
    maxPoints * 4,
  );
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  const points = Array.from({ length: last + 1 }, (_, i) => ({
    at: new Date(start + i * bucketSeconds * 1000),
    sent: byBucket.get(i)?.sent ?? 0,
    failed: byBucket.get(i)?.failed ?? 0,
  }));
  return { bucketSeconds, points };
}
