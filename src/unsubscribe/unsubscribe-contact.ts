import { sqlOf } from "../adapters/sql-of.ts";
import type { Clock, Db, Sql } from "../types.ts";
import { methodOf } from "./subscription-writes.ts";

export interface UnsubscribeInput {
  contactId: number;
  /** list slug; null = every list (and `newsletter:*`) */
  list: string | null;
  /** one-click, unsubscribe-page, mailto, ... */
  source: string;
  evidence: Record<string, unknown>;
}

/**
 * Stops newsletters to a contact at once: the subscriptions turn
 * `unsubscribed` in the same transaction that records the withdrawal in the
 * consent ledger and the audit log, and `unsubscribedAt` starts the privacy
 * statement's 2-year retention clock. The person is kept (retention deletes
 * them later). `list: null` leaves every list and also withdraws
 * `newsletter:*`. Idempotent: a repeat changes nothing and writes nothing.
 */
export async function unsubscribeContact(
  deps: { db: Db; sql?: Sql | undefined; clock: Clock },
  input: UnsubscribeInput,
): Promise<{ changed: string[] }> {
  const [result] = await unsubscribeContacts({ sql: sqlOf(deps), clock: deps.clock }, [input]);
  return result!;
}

/**
 * Several unsubscribes in one statement (see unsubscribe-queue.ts, which
 * gathers concurrent one-click requests). Each contact may appear once;
 * results are in input order.
 */
export async function unsubscribeContacts(
  deps: { sql: Sql; clock: Clock },
  inputs: UnsubscribeInput[],
): Promise<Array<{ changed: string[] }>> {
  if (inputs.length === 0) return [];
  const ids = inputs.map((i) => i.contactId);
  if (new Set(ids).size !== ids.length)
    throw new Error("unsubscribeContacts: a contact appears twice in one batch; split the batch");
  const rows = await unsubscribeInOneStatement(deps.sql, inputs, deps.clock.now());
  const changed = new Map<number, string[]>();
  for (const row of rows)
    changed.set(row.contact_id, [...(changed.get(row.contact_id) ?? []), row.slug]);
  return inputs.map((i) => ({ changed: (changed.get(i.contactId) ?? []).sort() }));
}

/**
 * Raw SQL, one statement, for two reasons. Speed: this is the RFC 8058
 * one-click endpoint that mail providers hit in bursts right after a send;
 * one round trip for a whole batch instead of an interactive transaction's
 * five or six per request is what keeps p99 under 20 ms at 1,000 requests/s
 * (bench/unsubscribe.ts). Correctness: a statement is atomic, and because the
 * status guard is in the UPDATE's WHERE clause, concurrent repeats serialise
 * on the row lock and the later ones change nothing, so the ledger gets
 * exactly one withdrawal.
 *
 * It writes consent_events and audit_log directly, mirroring recordConsents()
 * and recordAudit(); keep the columns in step with them. Timestamps go in as
 * UTC ISO text cast to `timestamp`, the convention Prisma reads them back in.
 * An empty list slug stands for "every list" (arrays with NULLs are awkward
 * to pass).
 */
async function unsubscribeInOneStatement(
  sql: Sql,
  inputs: UnsubscribeInput[],
  now: Date,
): Promise<{ contact_id: number; slug: string }[]> {
  const at = now.toISOString();
  const ids = inputs.map((i) => i.contactId);
  const lists = inputs.map((i) => i.list ?? "");
  const sources = inputs.map((i) => i.source);
  const evidence = inputs.map((i) => JSON.stringify(i.evidence));
  const methods = inputs.map((i) => methodOf(i.evidence) ?? "");
  // Planning is most of this statement's cost, so the every-list part is only
  // included when the batch has such a request.
  const everyList = inputs.some((i) => i.list === null);
  const everything = everyList
    ? `
      -- newsletter:* is withdrawn when this statement left a list, or when there was none to leave;
      -- not by a concurrent repeat whose UPDATE found the rows already left (its snapshot still shows
      -- them live, so it writes nothing): the same exactly-once guarantee as the lists themselves.
      SELECT i.contact_id FROM input AS i JOIN contacts AS c ON c.id = i.contact_id
       WHERE i.list IS NULL
         AND (EXISTS (SELECT 1 FROM changed AS ch WHERE ch.contact_id = i.contact_id)
              OR NOT EXISTS (SELECT 1 FROM subscriptions AS s WHERE s.contact_id = i.contact_id AND s.status IN ('pending', 'subscribed')))
         AND NOT EXISTS (
           SELECT 1 FROM (
             SELECT e.action FROM consent_events AS e
              WHERE e.contact_id = i.contact_id AND e.purpose = 'newsletter:*'
              ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1
           ) AS latest WHERE latest.action = 'withdraw')`
    : `SELECT NULL::int AS contact_id WHERE false`;
  return sql.query<{ contact_id: number; slug: string }>(
    `
    WITH input AS (
      SELECT i.contact_id, NULLIF(i.list, '') AS list, i.source, i.evidence::jsonb AS evidence, NULLIF(i.method, '') AS method
        FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[])
             AS i(contact_id, list, source, evidence, method)
    ),
    changed AS (
      UPDATE subscriptions AS s
         SET status = 'unsubscribed', unsubscribed_at = $6::timestamp(3), updated_at = $6::timestamp(3)
        FROM lists AS l, input AS i
       WHERE l.id = s.list_id
         AND s.contact_id = i.contact_id
         AND s.status IN ('pending', 'subscribed')
         AND (i.list IS NULL OR l.slug = i.list)
      RETURNING s.contact_id, l.slug
    ),
    everything AS (${everything}),
    purposes AS (
      SELECT contact_id, 'newsletter:' || slug AS purpose FROM changed
      UNION ALL SELECT contact_id, 'newsletter:*' FROM everything
    ),
    ledger AS (
      INSERT INTO consent_events (contact_id, purpose, action, legal_basis, source, evidence, occurred_at)
      SELECT p.contact_id, p.purpose, 'withdraw', 'consent', i.source, i.evidence, $6::timestamp(3)
        FROM purposes AS p JOIN input AS i ON i.contact_id = p.contact_id
      RETURNING id
    ),
    audit AS (
      INSERT INTO audit_log (actor, action, subject_type, subject_id, detail, at)
      SELECT 'subscriber', 'subscription.unsubscribed', 'contact', i.contact_id::text,
             jsonb_build_object('lists', t.lists, 'scope', coalesce(i.list, 'all'), 'source', i.source, 'method', i.method),
             $6::timestamp(3)
        FROM (SELECT contact_id, coalesce(jsonb_agg(substr(purpose, 12) ORDER BY purpose) FILTER (WHERE purpose <> 'newsletter:*'), '[]'::jsonb) AS lists
                FROM purposes GROUP BY contact_id) AS t
        JOIN input AS i ON i.contact_id = t.contact_id
      RETURNING id
    )
    SELECT contact_id, slug FROM changed`,
    [ids, lists, sources, evidence, methods, at],
  );
}
