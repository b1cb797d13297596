import type { Config } from "../config/load-config.ts";
import type { CustomerStatus, SubscriptionStatus } from "../generated/prisma/client.ts";
import type { Clock, Db, Logger } from "../types.ts";
import { addMonths } from "./add-months.ts";
import { decideRetention, type RetentionFacts, type RetentionRule } from "./decide-retention.ts";
import { eraseContacts } from "./erase-contacts.ts";
import { recordAudit } from "./record-audit.ts";

export interface RetentionDue {
  contactId: number;
  email: string;
  rule: RetentionRule;
  since: Date;
  /** when the last rule that kept them ran out (in the future with a horizon) */
  expiredAt: Date;
}

export interface RetentionProgress {
  /** contacts the SQL pre-filter returned and the policy judged */
  judged: number;
  due: number;
  erased: number;
}

export interface RetentionResult extends RetentionProgress {
  dryRun: boolean;
  /** dry run only: who would go, in id order */
  list: RetentionDue[];
  ms: number;
}

/**
 * The SQL pre-filter is looser than the policy by this much, so month-end
 * arithmetic (and any rounding) can only let extra contacts through to
 * decideRetention, never hide a due one.
 */
const MARGIN_MS = 4 * 86_400_000;

/** Contacts read per query; erasures are then made in transactions of `batchSize`. */
const SCAN_PAGE = 5000;

/**
 * The daily retention pass: walks contacts by id in pages, asks
 * decideRetention about each contact the SQL pre-filter lets through, and
 * erases the due ones in transactions of `privacy.retention.batchSize`
 * (nothing holds a million rows). One audit entry per
 * erasure names the rule that decided it. `dryRun` erases nothing and lists
 * who would go; `horizon` (dry run) looks ahead to that date.
 */
export async function applyRetention(
  deps: {
    db: Db;
    config: Pick<Config, "suppressionKey" | "privacy">;
    clock: Clock;
    log: Logger;
  },
  opts: {
    dryRun: boolean;
    actor: string;
    horizon?: Date;
    onProgress?(progress: RetentionProgress): void | Promise<void>;
    signal?: AbortSignal;
  },
): Promise<RetentionResult> {
  const started = Date.now();
  const now = deps.clock.now();
  const horizon = opts.dryRun && opts.horizon && opts.horizon > now ? opts.horizon : now;
  const policy = deps.config.privacy.retention;
  const dialogueCutoff = new Date(addMonths(horizon, -policy.dialogueMonths).getTime() + MARGIN_MS);
  const unsubscribedCutoff = new Date(
    addMonths(horizon, -policy.unsubscribedMonths).getTime() + MARGIN_MS,
  );
  const progress: RetentionProgress = { judged: 0, due: 0, erased: 0 };
  const list: RetentionDue[] = [];
  let after = 0;
  for (;;) {
    if (opts.signal?.aborted) break;
    const page = await candidatePage(deps.db, {
      after,
      limit: SCAN_PAGE,
      dialogueCutoff,
      unsubscribedCutoff,
    });
    if (page.length === 0) break;
    after = page[page.length - 1]!.id;
    const due: RetentionDue[] = [];
    for (const row of page) {
      const decision = decideRetention(row.facts, policy, horizon);
      if (decision.keep) continue;
      due.push({
        contactId: row.id,
        email: row.email,
        rule: decision.rule,
        since: decision.since,
        expiredAt: decision.expiredAt,
      });
    }
    progress.judged += page.length;
    progress.due += due.length;
    if (opts.dryRun) list.push(...due);
    else
      for (let i = 0; i < due.length; i += policy.batchSize) {
        if (opts.signal?.aborted) break;
        const erased = await eraseContacts(deps, {
          erasures: due.slice(i, i + policy.batchSize).map((d) => ({
            contactId: d.contactId,
            why: {
              reason: "retention",
              rule: d.rule,
              since: d.since.toISOString(),
              expiredAt: d.expiredAt.toISOString(),
            },
          })),
          actor: opts.actor,
        });
        progress.erased += erased.length;
        await opts.onProgress?.({ ...progress });
      }
    await opts.onProgress?.({ ...progress });
  }
  const ms = Date.now() - started;
  await recordAudit(deps.db, {
    actor: opts.actor,
    action: opts.dryRun ? "privacy.retention_dry_run" : "privacy.retention_run",
    detail: {
      ...progress,
      horizon: horizon.toISOString(),
      dialogueMonths: policy.dialogueMonths,
      unsubscribedMonths: policy.unsubscribedMonths,
      stopped: opts.signal?.aborted === true,
      ms,
    },
  });
  deps.log.info(opts.dryRun ? "retention dry run" : "retention applied", { ...progress, ms });
  return { ...progress, dryRun: opts.dryRun, list, ms };
}

interface CandidateRow {
  id: number;
  email: string;
  facts: RetentionFacts;
}

interface RawRow {
  id: number;
  email: string;
  created_at: string;
  last_contact_at: string | null;
  customer_status: CustomerStatus;
  customer_ended_at: string | null;
  last_dialogue_at: string | null;
  subs: Array<{ status: SubscriptionStatus; requested_at: string; unsubscribed_at: string | null }>;
}

/** Columns are `timestamp(3)` holding UTC (Prisma's convention); JSON renders them without a zone. */
const utc = (s: string): Date => new Date(s.endsWith("Z") ? s : `${s}Z`);

/**
 * The next page of contacts that may be due, walking the primary key. A
 * necessary condition only (every due contact passes; some that pass are
 * kept): not subscribed, not a customer, and every clock older than its
 * cutoff. Subscriptions come along per contact for decideRetention.
 */
async function candidatePage(
  db: Db,
  q: { after: number; limit: number; dialogueCutoff: Date; unsubscribedCutoff: Date },
): Promise<CandidateRow[]> {
  const dialogue = q.dialogueCutoff.toISOString();
  const unsubscribed = q.unsubscribedCutoff.toISOString();
  const rows = await db.$queryRaw<{ row: RawRow }[]>`
    SELECT json_build_object(
             'id', c.id, 'email', c.email, 'created_at', c.created_at,
             'last_contact_at', c.last_contact_at, 'customer_status', c.customer_status,
             'customer_ended_at', c.customer_ended_at,
             'last_dialogue_at', (SELECT max(d.received_at) FROM dialogue_records AS d
                                   WHERE d.contact_id = c.id AND d.kind = 'reply'),
             'subs', COALESCE((SELECT json_agg(json_build_object('status', s.status,
                        'requested_at', s.requested_at, 'unsubscribed_at', s.unsubscribed_at))
                        FROM subscriptions AS s WHERE s.contact_id = c.id), '[]'::json)) AS row
      FROM contacts AS c
     WHERE c.id > ${q.after}
       AND c.customer_status <> 'customer'
       AND COALESCE(c.last_contact_at, c.created_at) < ${dialogue}::timestamp(3)
       AND (c.customer_ended_at IS NULL OR c.customer_ended_at < ${dialogue}::timestamp(3))
       AND NOT EXISTS (
         SELECT 1 FROM dialogue_records AS d
          WHERE d.contact_id = c.id AND d.kind = 'reply' AND d.received_at >= ${dialogue}::timestamp(3))
       AND NOT EXISTS (
         SELECT 1 FROM subscriptions AS s
          WHERE s.contact_id = c.id
            AND (s.status = 'subscribed'
                 OR (s.status = 'pending' AND s.requested_at >= ${dialogue}::timestamp(3))
                 OR (s.status = 'unsubscribed' AND s.unsubscribed_at >= ${unsubscribed}::timestamp(3))))
     ORDER BY c.id
     LIMIT ${q.limit}`;
  return rows.map(({ row: r }) => ({
    id: r.id,
    email: r.email,
    facts: {
      createdAt: utc(r.created_at),
      lastContactAt: r.last_contact_at === null ? null : utc(r.last_contact_at),
      customerStatus: r.customer_status,
      customerEndedAt: r.customer_ended_at === null ? null : utc(r.customer_ended_at),
      lastDialogueAt: r.last_dialogue_at === null ? null : utc(r.last_dialogue_at),
      subscriptions: r.subs.map((s) => ({
        status: s.status,
        requestedAt: utc(s.requested_at),
        unsubscribedAt: s.unsubscribed_at === null ? null : utc(s.unsubscribed_at),
      })),
    },
  }));
}
