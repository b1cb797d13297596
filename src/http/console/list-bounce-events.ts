/**
 * Bounces and complaints as the inbox recorded them, newest first, for the
 * console. A bounce event is one failed recipient of a DSN (RFC 3464), keyed
 * by an address hash; the address is known only through the delivery the DSN
 * matched. A complaint is an ARF report (RFC 5965), one inbound message.
 *
 * Raw SQL because the two sources are one list ordered by time, and bounce
 * events have no Prisma relations to the delivery, campaign and contact.
 */
import { z } from "zod";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Db } from "../../types.ts";
import { dayField, dayRange, optionalField, pageField, parseFilter } from "./parse-filter.ts";

export const bounceVerdicts = ["hard", "soft", "policy", "delayed", "unknown"] as const;
export const bouncePageSize = 50;

export const bounceFilterSchema = z.object({
  type: optionalField(z.enum(["bounce", "complaint"])),
  verdict: optionalField(z.enum(bounceVerdicts)),
  campaign: optionalField(z.string().trim().max(200)),
  from: optionalField(dayField),
  to: optionalField(dayField),
  page: pageField,
});

export type BounceFilter = z.infer<typeof bounceFilterSchema>;

export function parseBounceFilter(query: unknown): BounceFilter {
  return parseFilter(bounceFilterSchema, query);
}

export interface BounceEventRow {
  type: "bounce" | "complaint";
  id: number;
  at: string;
  /** hard, soft, policy, delayed, unknown; the feedback type for a complaint */
  verdict: string | null;
  status: string | null;
  action: string | null;
  campaign: string | null;
  mailbox: string;
  contactId: number | null;
  contactEmail: string | null;
  /** what the inbox did: recorded, suppressed, unsubscribed */
  outcome: string;
}

interface RawRow {
  type: "bounce" | "complaint";
  id: number;
  at: Date;
  verdict: string | null;
  status: string | null;
  action: string | null;
  campaign: string | null;
  mailbox: string;
  contact_id: number | null;
  contact_email: string | null;
  outcome: string;
}

function events(filter: BounceFilter): Prisma.Sql {
  const range = dayRange(filter.from, filter.to);
  const bounceWhere: Prisma.Sql[] = [Prisma.sql`true`];
  const complaintWhere: Prisma.Sql[] = [Prisma.sql`i.kind = 'complaint'`];
  if (filter.verdict) bounceWhere.push(Prisma.sql`b.verdict = ${filter.verdict}`);
  if (filter.campaign) {
    bounceWhere.push(Prisma.sql`c.slug = ${filter.campaign}`);
    complaintWhere.push(Prisma.sql`c.slug = ${filter.campaign}`);
  }
  if (range?.gte) {
    bounceWhere.push(Prisma.sql`b.occurred_at >= ${range.gte}`);
    complaintWhere.push(Prisma.sql`i.received_at >= ${range.gte}`);
  }
  if (range?.lt) {
    bounceWhere.push(Prisma.sql`b.occurred_at < ${range.lt}`);
    complaintWhere.push(Prisma.sql`i.received_at < ${range.lt}`);
  }
  const bounces = Prisma.sql`
    SELECT 'bounce' AS type, b.id, b.occurred_at AS at, b.verdict, b.status, b.action,
           c.slug AS campaign, i.mailbox, ct.id AS contact_id, ct.email AS contact_email, i.outcome
    FROM bounce_events b
    JOIN inbound_messages i ON i.id = b.inbound_message_id
    LEFT JOIN deliveries d ON d.id = b.delivery_id
    LEFT JOIN campaigns c ON c.id = d.campaign_id
    LEFT JOIN contacts ct ON ct.id = d.contact_id
    WHERE ${Prisma.join(bounceWhere, " AND ")}`;
  const complaints = Prisma.sql`
    SELECT 'complaint' AS type, i.id, i.received_at AS at, i.detail->>'feedbackType' AS verdict,
           NULL AS status, NULL AS action,
           c.slug AS campaign, i.mailbox, ct.id AS contact_id, ct.email AS contact_email, i.outcome
    FROM inbound_messages i
    LEFT JOIN deliveries d ON d.id = i.delivery_id
    LEFT JOIN campaigns c ON c.id = d.campaign_id
    LEFT JOIN contacts ct ON ct.id = COALESCE(d.contact_id, i.contact_id)
    WHERE ${Prisma.join(complaintWhere, " AND ")}`;
  // A verdict names bounces only; a type names one source.
  if (filter.type === "bounce" || filter.verdict) return bounces;
  if (filter.type === "complaint") return complaints;
  return Prisma.sql`${bounces} UNION ALL ${complaints}`;
}

export async function listBounceEvents(
  db: Db,
  filter: BounceFilter,
): Promise<{ rows: BounceEventRow[]; hasMore: boolean; totals: Record<string, number> }> {
  const page = filter.page ?? 1;
  const source = events(filter);
  const [rows, totals] = await Promise.all([
    db.$queryRaw<RawRow[]>`
      SELECT * FROM (${source}) e ORDER BY at DESC, type, id DESC
      LIMIT ${bouncePageSize + 1} OFFSET ${(page - 1) * bouncePageSize}`,
    db.$queryRaw<Array<{ key: string; n: number }>>`
      SELECT CASE WHEN type = 'complaint' THEN 'complaint' ELSE verdict END AS key, count(*)::int AS n
      FROM (${source}) e GROUP BY 1`,
  ]);
  return {
    hasMore: rows.length > bouncePageSize,
    rows: rows.slice(0, bouncePageSize).map((r) => ({
      type: r.type,
      id: r.id,
      at: r.at.toISOString(),
      verdict: r.verdict,
      status: r.status,
      action: r.action,
      campaign: r.campaign,
      mailbox: r.mailbox,
      contactId: r.contact_id,
      contactEmail: r.contact_email,
      outcome: r.outcome,
    })),
    totals: Object.fromEntries(totals.map((t) => [t.key ?? "unknown", t.n])),
  };
}

/** Campaign slugs for the filter's choices, the latest first. */
export async function campaignSlugs(db: Db): Promise<string[]> {
  const rows = await db.campaign.findMany({
    select: { slug: true },
    orderBy: { id: "desc" },
    take: 200,
  });
  return rows.map((r) => r.slug);
}
