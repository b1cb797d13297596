/**
 * Newsletters sent and people unsubscribing per day (UTC) over the last
 * `days` days, oldest first, every day present (zero when nothing happened).
 *
 * Raw SQL: grouping by the day of a timestamp has no Prisma form. Sends are
 * found through the campaigns that ran in the window, so the deliveries'
 * (campaign_id, status) index serves the query (deliveries have no index on
 * sent_at). An unsubscribe is a newsletter consent withdrawn (the ledger, as
 * the campaign report attributes them), one per person per day however many
 * lists they left; an erased person's events are gone with them.
 */
import type { Db } from "../../types.ts";

export interface DailyActivity {
  /** midnight UTC */
  day: Date;
  sent: number;
  unsubscribed: number;
}

const dayMs = 86_400_000;

export async function listDailyActivity(
  db: Db,
  opts: { now: Date; days: number },
): Promise<DailyActivity[]> {
  const today = Math.floor(opts.now.getTime() / dayMs) * dayMs;
  const since = new Date(today - (opts.days - 1) * dayMs);
  const [sends, unsubscribes] = await Promise.all([
    db.$queryRaw<Array<{ day: string; n: number }>>`
      SELECT to_char(d.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n
        FROM deliveries d
       WHERE d.campaign_id IN (SELECT id FROM campaigns
                                WHERE started_at IS NOT NULL
                                  AND (finished_at IS NULL OR finished_at >= ${since}))
         AND d.status IN ('sent', 'bounced') AND d.sent_at >= ${since}
       GROUP BY 1`,
    db.$queryRaw<Array<{ day: string; n: number }>>`
      SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
             count(DISTINCT contact_id)::int AS n
        FROM consent_events
       WHERE action = 'withdraw' AND purpose LIKE 'newsletter:%' AND occurred_at >= ${since}
       GROUP BY 1`,
  ]);
  const sent = new Map(sends.map((r) => [r.day, r.n]));
  const left = new Map(unsubscribes.map((r) => [r.day, r.n]));
  return Array.from({ length: opts.days }, (_, i) => {
    const day = new Date(since.getTime() + i * dayMs);
    const key = day.toISOString().slice(0, 10);
    return { day, sent: sent.get(key) ?? 0, unsubscribed: left.get(key) ?? 0 };
  });
}
