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
 */
import type { WatchedMailbox } from "../config/inbox-config.ts";
import type { SigningKey } from "../config/signing-keys.ts";
import { parseEmail } from "../contacts/contact-row.ts";
import { Prisma, type InboundKind } from "../generated/prisma/client.ts";
import type { Clock, Db } from "../types.ts";
import type { Classification } from "./inbox-types.ts";
import { loadBatchContext, recipientAddresses, type DeliveryRef } from "./load-batch-context.ts";
import { matchThread } from "./match-thread.ts";
import type { ReadMessage } from "./read-message.ts";
import { recordBounce } from "./record-bounce.ts";
import { recordComplaint } from "./record-complaint.ts";
import { recordMailedUnsubscribe } from "./record-mailed-unsubscribe.ts";

export interface RecordDeps {
  db: Db;
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
  await deps.db.$transaction(
    async (tx) => {
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
      const dialogueRows: Prisma.DialogueRecordCreateManyInput[] = [];
      const inboundRows: Array<Prisma.InboundMessageCreateManyInput & { dialogueIndex?: number }> =
        [];
      const lastContact = new Map<number, Date>();

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

        if (kind === "bounce" || kind === "complaint" || kind === "unsubscribe") {
          // these need the row's id as evidence for the ledger and the bounce events
          const row = await tx.inboundMessage.create({
            data: { ...base, outcome: "pending" },
            select: { id: true },
          });
          const match = matchThread(deps.signingKeys, ctx, read, batchThreads);
          const update = await applyEffect(tx, deps, now, c, {
            inboundMessageId: row.id,
            delivery: match.delivery,
            senderContactId: sender ? (ctx.contactsByEmail.get(sender)?.id ?? null) : null,
            contactIdOf: (address) => ctx.contactsByEmail.get(address.toLowerCase())?.id ?? null,
          });
          result.suppressed += update.suppressed;
          await tx.inboundMessage.update({
            where: { id: row.id },
            data: {
              outcome: update.outcome,
              held: update.outcome === "held",
              detail: update.detail,
              contactId: update.contactId,
              deliveryId: match.delivery?.id ?? null,
            },
            select: { id: true },
          });
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
            const created = await tx.contact.upsert({
              where: { email },
              create: {
                email,
                name: read.parsed.from[0]?.name.trim() || null,
                source: "inbound-email",
              },
              update: {},
              select: { id: true },
            });
            contactId = created.id;
            ctx.contactsByEmail.set(email, { id: created.id });
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
        const created = await tx.dialogueRecord.createManyAndReturn({
          data: dialogueRows,
          select: { id: true, sourceUid: true },
        });
        const idByUid = new Map(created.map((r) => [String(r.sourceUid), r.id]));
        for (const row of inboundRows)
          if (row.dialogueIndex !== undefined)
            row.dialogueId = idByUid.get(String(row.uid)) ?? null;
        result.dialogues = created.length;
      }
      if (inboundRows.length > 0) {
        // no skipDuplicates: a row another run committed meanwhile must roll this batch back, not be skipped silently
        await tx.inboundMessage.createMany({
          data: inboundRows.map(({ dialogueIndex: _, ...row }) => row),
        });
      }
      if (lastContact.size > 0) await touchLastContact(tx, lastContact);
      await tx.inboxCheckpoint.upsert({
        where: { mailbox: mailbox.key },
        create: { mailbox: mailbox.key, uidValidity: folder.uidValidity, lastUid: BigInt(maxUid) },
        update: { uidValidity: folder.uidValidity, lastUid: BigInt(maxUid) },
        select: { mailbox: true },
      });
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  return result;
}

async function applyEffect(
  tx: Prisma.TransactionClient,
  deps: RecordDeps,
  now: Date,
  c: Classification,
  input: {
    inboundMessageId: number;
    delivery: DeliveryRef | null;
    senderContactId: number | null;
    contactIdOf(address: string): number | null;
  },
): Promise<{
  outcome: string;
  detail: Prisma.InputJsonValue;
  contactId: number | null;
  suppressed: number;
}> {
  if (c.kind === "bounce") {
    const r = await recordBounce(
      tx,
      {
        suppressionKey: deps.suppressionKey,
        softBounceLimit: deps.softBounceLimit,
        softBounceWindowDays: deps.softBounceWindowDays,
        now,
      },
      {
        recipients: c.recipients,
        delivery: input.delivery,
        inboundMessageId: input.inboundMessageId,
      },
    );
    return {
      outcome: r.suppressed > 0 ? "suppressed" : "recorded",
      detail: {
        verdicts: r.verdicts,
        bouncedDelivery: r.bouncedDelivery,
        matched: input.delivery !== null,
      },
      contactId: input.delivery?.contactId ?? null,
      suppressed: r.suppressed,
    };
  }
  if (c.kind === "complaint") {
    const contactId =
      input.delivery?.contactId ?? (c.address ? input.contactIdOf(c.address) : null);
    const address = input.delivery?.contactEmail ?? c.address;
    const r = await recordComplaint(
      tx,
      { suppressionKey: deps.suppressionKey, clock: deps.clock },
      {
        contactId,
        address,
        feedbackType: c.feedbackType,
        inboundMessageId: input.inboundMessageId,
      },
    );
    return {
      outcome: "unsubscribed",
      detail: {
        feedbackType: c.feedbackType,
        lists: r.unsubscribed,
        matched: input.delivery !== null,
      },
      contactId,
      suppressed: r.suppressed ? 1 : 0,
    };
  }
  if (c.kind === "unsubscribe") {
    const r = await recordMailedUnsubscribe(
      tx,
      { signingKeys: deps.signingKeys, clock: deps.clock },
      {
        token: c.token,
        senderContactId: input.senderContactId,
        inboundMessageId: input.inboundMessageId,
      },
    );
    return {
      outcome: r.outcome,
      detail: r.outcome === "unsubscribed" ? { lists: r.changed } : {},
      contactId: r.contactId,
      suppressed: 0,
    };
  }
  throw new Error(`applyEffect: no effect for ${c.kind}`);
}

/**
 * One statement for the batch; GREATEST keeps the latest date when messages
 * arrive out of order. The date is the 2-year retention clock's start.
 */
async function touchLastContact(
  tx: Prisma.TransactionClient,
  dates: Map<number, Date>,
): Promise<void> {
  const ids = [...dates.keys()];
  const ats = ids.map((id) => dates.get(id)!.toISOString());
  await tx.$executeRaw`
    UPDATE contacts AS c
       SET last_contact_at = GREATEST(COALESCE(c.last_contact_at, v.at), v.at)
      FROM unnest(${ids}::int[], ${ats}::timestamp(3)[]) AS v(id, at)
     WHERE c.id = v.id`;
}
