/**
 * The import's writes, one statement per chunk of rows. Raw SQL because
 * Prisma 6's client engine spends about a millisecond per row building a
 * createMany (500 rows: ~500 ms) and has no bulk update with a value per row;
 * a JSON array unpacked by jsonb_to_recordset is one parameter and one round
 * trip. Timestamps are `timestamp(3)` holding UTC, as Prisma writes them, so
 * they travel as ISO strings with a zone and are converted AT TIME ZONE 'UTC'.
 */
import type { SubscriptionStatus, SuppressionReason } from "../generated/prisma/client.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";
import type { ContactFields } from "./contact-row.ts";

const utc = (d: Date | undefined | null) => d?.toISOString() ?? null;

function contactJson(f: ContactFields) {
  return {
    name: f.name ?? null,
    phone: f.phone ?? null,
    company: f.company ?? null,
    job_title: f.jobTitle ?? null,
    industry: f.industry ?? null,
    company_website: f.companyWebsite ?? null,
    product_interests: f.productInterests ?? null,
    notes: f.notes ?? null,
    source: f.source ?? null,
    last_contact_at: utc(f.lastContactAt),
    customer_status: f.customerStatus ?? null,
    customer_ended_at: utc(f.customerEndedAt),
  };
}

/** Inserts new contacts; an address that appeared meanwhile is skipped (ON CONFLICT) and not returned. */
export async function insertContactsBulk(
  tx: DbOrTx,
  rows: { email: string; fields: ContactFields }[],
  now: Date,
): Promise<{ id: number; email: string }[]> {
  if (rows.length === 0) return [];
  const payload = JSON.stringify(rows.map((r) => ({ email: r.email, ...contactJson(r.fields) })));
  return tx.$queryRaw<{ id: number; email: string }[]>`
    INSERT INTO contacts (email, name, phone, company, job_title, industry, company_website, product_interests, notes, source,
                          last_contact_at, customer_status, customer_ended_at, created_at, updated_at)
    SELECT v.email, v.name, v.phone, v.company, v.job_title, v.industry, v.company_website, COALESCE(v.product_interests, ARRAY[]::text[]),
           v.notes, v.source, v.last_contact_at AT TIME ZONE 'UTC', COALESCE(v.customer_status, 'none')::"CustomerStatus",
           v.customer_ended_at AT TIME ZONE 'UTC', ${utc(now)}::timestamptz AT TIME ZONE 'UTC', ${utc(now)}::timestamptz AT TIME ZONE 'UTC'
      FROM jsonb_to_recordset(${payload}::jsonb) AS v(
        email text, name text, phone text, company text, job_title text, industry text, company_website text,
        product_interests text[], notes text, source text, last_contact_at timestamptz, customer_status text,
        customer_ended_at timestamptz)
    ON CONFLICT (email) DO NOTHING
    RETURNING id, email`;
}

export interface NewSubscription {
  contactId: number;
  listId: number;
  confirmedAt: Date;
  source: string;
}

/** New `subscribed` rows; a pair that exists already is left alone (ON CONFLICT). */
export async function insertSubscriptionsBulk(
  tx: DbOrTx,
  rows: NewSubscription[],
  now: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const payload = JSON.stringify(
    rows.map((r) => ({
      contact_id: r.contactId,
      list_id: r.listId,
      confirmed_at: utc(r.confirmedAt),
      source: r.source,
    })),
  );
  return tx.$executeRaw`
    INSERT INTO subscriptions (contact_id, list_id, status, requested_at, confirmed_at, source, updated_at)
    SELECT v.contact_id, v.list_id, 'subscribed', v.confirmed_at AT TIME ZONE 'UTC', v.confirmed_at AT TIME ZONE 'UTC', v.source,
           ${utc(now)}::timestamptz AT TIME ZONE 'UTC'
      FROM jsonb_to_recordset(${payload}::jsonb) AS v(contact_id int, list_id int, confirmed_at timestamptz, source text)
    ON CONFLICT (contact_id, list_id) DO NOTHING`;
}

/** Empty cells arrive as JSON null and COALESCE keeps what is stored. */
export async function updateContactsBulk(
  tx: DbOrTx,
  rows: { id: number; fields: ContactFields }[],
  now: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const payload = JSON.stringify(rows.map(({ id, fields }) => ({ id, ...contactJson(fields) })));
  return tx.$executeRaw`
    UPDATE contacts AS c SET
      name = COALESCE(v.name, c.name),
      phone = COALESCE(v.phone, c.phone),
      company = COALESCE(v.company, c.company),
      job_title = COALESCE(v.job_title, c.job_title),
      industry = COALESCE(v.industry, c.industry),
      company_website = COALESCE(v.company_website, c.company_website),
      product_interests = COALESCE(v.product_interests, c.product_interests),
      notes = COALESCE(v.notes, c.notes),
      source = COALESCE(v.source, c.source),
      last_contact_at = COALESCE(v.last_contact_at AT TIME ZONE 'UTC', c.last_contact_at),
      customer_status = COALESCE(v.customer_status::"CustomerStatus", c.customer_status),
      customer_ended_at = COALESCE(v.customer_ended_at AT TIME ZONE 'UTC', c.customer_ended_at),
      updated_at = ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'
    FROM jsonb_to_recordset(${payload}::jsonb) AS v(
      id int, name text, phone text, company text, job_title text, industry text, company_website text,
      product_interests text[], notes text, source text, last_contact_at timestamptz, customer_status text,
      customer_ended_at timestamptz)
    WHERE c.id = v.id`;
}

// The lookups below take the chunk's keys as one array parameter: Prisma's
// `in: [...]` binds one parameter per value and costs several times more per chunk.

export async function findContactIdsByEmail(
  tx: DbOrTx,
  emails: string[],
): Promise<{ id: number; email: string }[]> {
  if (emails.length === 0) return [];
  return tx.$queryRaw<
    { id: number; email: string }[]
  >`SELECT id, email FROM contacts WHERE email = ANY(${emails}::text[])`;
}

export async function findSuppressionReasons(
  tx: DbOrTx,
  hashes: string[],
): Promise<{ addressHash: string; reason: SuppressionReason }[]> {
  if (hashes.length === 0) return [];
  return tx.$queryRaw<{ addressHash: string; reason: SuppressionReason }[]>`
    SELECT address_hash AS "addressHash", reason::text AS reason FROM suppressions WHERE address_hash = ANY(${hashes}::text[])`;
}

export interface CurrentSubscription {
  id: number;
  contactId: number;
  status: SubscriptionStatus;
  unsubscribedAt: Date | null;
}

export async function findSubscriptions(
  tx: DbOrTx,
  listId: number,
  contactIds: number[],
): Promise<CurrentSubscription[]> {
  if (contactIds.length === 0) return [];
  const rows = await tx.$queryRaw<
    { id: number; contactId: number; status: SubscriptionStatus; unsubscribedAt: string | null }[]
  >`
    SELECT id, contact_id AS "contactId", status::text AS status, to_char(unsubscribed_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "unsubscribedAt"
      FROM subscriptions WHERE list_id = ${listId} AND contact_id = ANY(${contactIds}::int[])`;
  return rows.map((r) => ({
    ...r,
    unsubscribedAt: r.unsubscribedAt === null ? null : new Date(r.unsubscribedAt),
  }));
}
