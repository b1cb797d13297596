/**
 * Records one batch of fetched messages from one mailbox folder and advances
 * its checkpoint, all in ONE transaction: the checkpoint can never pass a
 * message whose records are not committed, and a crash anywhere leaves both
 * as they were (the batch is fetched and recorded again). Each message is
 * recorded at most once per mailbox: (mailbox, Message-ID or content hash) is
 * unique, so a rescan after a UIDVALIDITY change, a second watcher, or a
 * retried batch finds the row and does nothing twice (DESIGN.md invariant 4).
 * Side effects (suppression, unsubscribes, contacts' last-contact dates) are
 * in the same transaction, so they happen exactly when the row is written.
 *
 * Every statement is plain SQL through the `Sql` port, on the pg pool where
 * the worker has one: even a raw query goes through Prisma's wasm query
 * compiler, which copies each parameter in and out of wasm, and a batch's
 * replies (their text and the cut quoted history, megabytes per batch) made
 * that a fifth of the watcher's CPU. bench/ingest 10k: 788 msg/s on the pg
 * path against 600 through Prisma, same machine and hour.
 */
import type { WatchedMailbox } from "../config/inbox-config.ts";
import type { SigningKey } from "../config/signing-keys.ts";
import { parseEmail } from "../contacts/contact-row.ts";
import type { InboundKind } from "../generated/prisma/client.ts";
import type { Clock, Sql } from "../types.ts";
import { loadBatchContext, recipientAddresses, type DeliveryRef } from "./load-batch-context.ts";
import { matchThread } from "./match-thread.ts";
import type { ReadMessage } from "./read-message.ts";
import { insertDialogueRecords, type DialogueRow } from "./insert-dialogue-records.ts";
import { insertInboundMessages, type InboundRow } from "./insert-inbound-messages.ts";
import { recordEffects, type EffectInput } from "./record-effects.ts";
import { settleInboundMessages } from "./settle-inbound-messages.ts";

export interface RecordDeps {
  /** the batch's statements, in one transaction (plain SQL: see insert-dialogue-records.ts) */
  sql: Sql;
  clock: Clock;
  signingKeys: SigningKey[];
  suppressionKey: string;
  createContacts: boolean;
  softBounceLimit: number;
  softBounceWindowDays: number;
  scan(text: string): { redacted: string; findings: unknown[] };
}

export interface BatchItem {
  uid: number;
  read: ReadMessage;
}

export interface BatchResult {
  recorded: number;
  duplicates: number;
  byKind: Partial<Record<InboundKind, number>>;
  /** UIDs to leave flagged (\Flagged) for a person: unparseable ones */
  unparseableUids: number[];
  dialogues: number;
  suppressed: number;
}

const MAX_TEXT = 256 * 1024;
const STATEMENT_TIMEOUT_MS = 120_000;

/** PostgreSQL text and jsonb cannot hold U+0000 (it ends C strings): replaced, never dropped silently */
const noNul = (text: string) => (text.includes("\0") ? text.replace(/\0/g, "\uFFFD") : text);

export async function recordBatch(
  deps: RecordDeps,
  mailbox: Pick<WatchedMailbox, "key" | "direction">,
  folder: { uidValidity: bigint },
  items: BatchItem[],
  /** the checkpoint moves to here even when some UIDs below it were expunged before the fetch */
  throughUid = 0,
): Promise<BatchResult> {
  const result: BatchResult = {
    recorded: 0,
    duplicates: 0,
    byKind: {},
    unparseableUids: [],
    dialogues: 0,
    suppressed: 0,
  };
  const now = deps.clock.now();
  const maxUid = Math.max(throughUid, ...items.map((i) => i.uid));
  if (maxUid === 0) return result;
  await deps.sql.transaction(async (tx) => {
    // A statement stuck on a lock must not hold the mailbox forever: it fails the batch,
    // which is then retried one message at a time (watch-mailbox.ts).
    await tx.query("SELECT set_config('statement_timeout', $1, true)", [
      String(STATEMENT_TIMEOUT_MS),
    ]);
    const ctx = await loadBatchContext(
      tx,
      { mailbox: mailbox.key, keys: deps.signingKeys },
      items.map((i) => i.read),
    );
    const seen = new Set(ctx.alreadyRecorded);
    const batchThreads = new Map<
      string,
      { threadId: string; campaignId: number | null; delivery: DeliveryRef | null }
    >();
    const dialogueRows: DialogueRow[] = [];
    const inboundRows: Array<InboundRow & { dialogueIndex?: number }> = [];
    const lastContact = new Map<number, Date>();
    const effects: Array<{
      dedupeKey: string;
      delivery: DeliveryRef | null;
      input: EffectInput;
    }> = [];

    for (const { uid, read } of items) {
      if (seen.has(read.dedupeKey)) {
        result.duplicates++;
        continue;
      }
      seen.add(read.dedupeKey);
      const c = read.classification;
      const kind: InboundKind = mailbox.direction === "out" ? "outgoing" : c.kind;
      result.recorded++;
      result.byKind[kind] = (result.byKind[kind] ?? 0) + 1;
      const base = {
        mailbox: mailbox.key,
        dedupeKey: read.dedupeKey,
        messageId: read.messageId,
        uidValidity: folder.uidValidity,
        uid: BigInt(uid),
        kind,
        receivedAt: read.parsed?.date && read.parsed.date <= now ? read.parsed.date : now,
      };
      const sender = read.parsed?.from[0]?.address.toLowerCase() ?? null;

      if (c.kind === "unparseable" || !read.parsed) {
        result.unparseableUids.push(uid);
        inboundRows.push({
          ...base,
          outcome: "unparseable",
          detail: {
            reason: noNul(c.kind === "unparseable" ? c.reason : "not parsed"),
            size: read.size,
          },
        });
        continue;
      }

      if (c.kind === "bounce" || c.kind === "complaint" || c.kind === "unsubscribe") {
        // inserted pending: the row's id is the evidence the ledger and the bounce events point at
        const match = matchThread(deps.signingKeys, ctx, read, batchThreads);
        effects.push({
          dedupeKey: read.dedupeKey,
          delivery: match.delivery,
          input: {
            inboundMessageId: 0,
            classification: c,
            delivery: match.delivery,
            senderContactId: sender ? (ctx.contactsByEmail.get(sender)?.id ?? null) : null,
            contactIdOf: (address) => ctx.contactsByEmail.get(address.toLowerCase())?.id ?? null,
          },
        });
        inboundRows.push({ ...base, outcome: "pending", detail: {} });
        continue;
      }

      if (kind === "other") {
        inboundRows.push({
          ...base,
          outcome: "ignored",
          detail: { reason: noNul((c as { reason: string }).reason) },
        });
        continue;
      }

      // reply, auto-reply, or outgoing team mail: a dialogue record
      const match = matchThread(deps.signingKeys, ctx, read, batchThreads);
      let contactId: number | null = null;
      if (kind === "outgoing") {
        for (const a of recipientAddresses(read)) {
          contactId = ctx.contactsByEmail.get(a)?.id ?? null;
          if (contactId !== null) break;
        }
      } else if (sender) {
        contactId = ctx.contactsByEmail.get(sender)?.id ?? null;
        const email = parseEmail(sender);
        if (contactId === null && deps.createContacts && kind === "reply" && email) {
          contactId = await upsertContact(tx, now, {
            email,
            name: read.parsed.from[0]?.name.trim() || null,
          });
          ctx.contactsByEmail.set(email, { id: contactId });
        }
      }
      if (kind === "outgoing" && contactId === null) {
        inboundRows.push({
          ...base,
          outcome: "ignored",
          detail: { reason: "no known contact among the recipients" },
        });
        continue;
      }
      const text = c.kind === "reply" ? c.text : (read.parsed.text ?? "");
      const removed = c.kind === "reply" ? c.removed : "";
      const body = deps.scan(noNul(text.slice(0, MAX_TEXT)));
      const cut = deps.scan(noNul(removed.slice(0, MAX_TEXT)));
      const subject = deps.scan(noNul(read.parsed.subject.slice(0, 998)));
      const flagged = body.findings.length + cut.findings.length + subject.findings.length > 0;
      if (read.messageId)
        batchThreads.set(read.messageId, {
          threadId: match.threadId,
          campaignId: match.campaignId,
          delivery: match.delivery,
        });
      dialogueRows.push({
        contactId,
        campaignId: match.campaignId,
        deliveryId: match.delivery?.id ?? null,
        kind: c.kind === "auto_reply" ? "auto_reply" : "reply",
        direction: mailbox.direction,
        mailbox: mailbox.key,
        messageId: read.messageId,
        inReplyTo: read.parsed.inReplyTo === null ? null : noNul(read.parsed.inReplyTo),
        subject: subject.redacted,
        body: body.redacted,
        removed: cut.redacted || null,
        flagged,
        fromAddress: sender === null ? null : noNul(sender),
        toAddresses: [...read.parsed.to, ...read.parsed.cc]
          .map((a) => noNul(a.address))
          .slice(0, 100),
        attachments: read.parsed.attachments.slice(0, 200).map((a) => ({
          filename: a.filename === null ? null : noNul(a.filename),
          contentType: noNul(a.contentType),
          size: a.size,
        })),
        threadId: match.threadId,
        receivedAt: base.receivedAt,
        sourceUidValidity: folder.uidValidity,
        sourceUid: BigInt(uid),
      });
      // RFC 3834 auto-replies are not the person getting in touch: no last-contact update
      if (contactId !== null && (c.kind === "reply" || kind === "outgoing")) {
        const at = base.receivedAt;
        const was = lastContact.get(contactId);
        if (!was || was < at) lastContact.set(contactId, at);
      }
      inboundRows.push({
        ...base,
        outcome: "recorded",
        contactId,
        deliveryId: match.delivery?.id ?? null,
        detail: {
          thread: match.via,
          flagged,
          ...(read.parsed.defects?.length ? { defects: read.parsed.defects.slice(0, 20) } : {}),
        },
        dialogueIndex: dialogueRows.length - 1,
      });
    }

    if (dialogueRows.length > 0) {
      const idByUid = await insertDialogueRecords(tx, dialogueRows);
      for (const row of inboundRows)
        if (row.dialogueIndex !== undefined) row.dialogueId = idByUid.get(row.uid) ?? null;
      result.dialogues = idByUid.size;
    }
    // no ON CONFLICT: a row another run committed meanwhile must roll this batch back, not be skipped silently
    const idByKey = await insertInboundMessages(
      tx,
      inboundRows.map(({ dialogueIndex: _, ...row }) => row),
    );
    if (effects.length > 0) {
      for (const e of effects) e.input.inboundMessageId = idByKey.get(e.dedupeKey)!;
      const outcomes = await recordEffects(
        tx,
        deps,
        now,
        effects.map((e) => e.input),
      );
      await settleInboundMessages(
        tx,
        outcomes.map((o, i) => ({
          id: effects[i]!.input.inboundMessageId,
          outcome: o.outcome,
          held: o.outcome === "held",
          detail: o.detail,
          contactId: o.contactId,
          deliveryId: effects[i]!.delivery?.id ?? null,
        })),
      );
      result.suppressed += outcomes.reduce((n, o) => n + o.suppressed, 0);
    }
    if (lastContact.size > 0) await touchLastContact(tx, lastContact);
    await tx.query(
      `INSERT INTO inbox_checkpoints (mailbox, uid_validity, last_uid, updated_at)
         VALUES ($1, $2::bigint, $3::bigint, $4::timestamp(3))
         ON CONFLICT (mailbox) DO UPDATE
           SET uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid,
               updated_at = EXCLUDED.updated_at`,
      [mailbox.key, String(folder.uidValidity), String(maxUid), now.toISOString()],
    );
  });
  return result;
}

/**
 * One statement for the batch; GREATEST keeps the latest date when messages
 * arrive out of order. The date is the 2-year retention clock's start.
 */
async function touchLastContact(sql: Sql, dates: Map<number, Date>): Promise<void> {
  const ids = [...dates.keys()];
  const ats = ids.map((id) => dates.get(id)!.toISOString());
  await sql.query(
    `UPDATE contacts AS c
        SET last_contact_at = GREATEST(COALESCE(c.last_contact_at, v.at), v.at)
       FROM unnest($1::int[], $2::timestamp(3)[]) AS v(id, at)
      WHERE c.id = v.id`,
    [ids, ats],
  );
}

/** An unknown sender of a reply as a contact (INBOX_CREATE_CONTACTS); an existing one is kept as it is. */
async function upsertContact(
  sql: Sql,
  now: Date,
  contact: { email: string; name: string | null },
): Promise<number> {
  const [row] = await sql.query<{ id: number }>(
    `INSERT INTO contacts (email, name, source, created_at, updated_at)
     VALUES ($1, $2, 'inbound-email', $3::timestamp(3), $3::timestamp(3))
     ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
     RETURNING id`,
    [contact.email, contact.name, now.toISOString()],
  );
  return row!.id;
}
