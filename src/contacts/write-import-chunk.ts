import type { LegalBasis, Prisma } from "../generated/prisma/client.ts";
import { hashAddress } from "../consent/address-hash.ts";
import { recordConsents, type ConsentEventInput } from "../consent/record-consent.ts";
import type { ContactRow } from "./contact-row.ts";
import type { ListSummary } from "./create-list.ts";
import {
  findContactIdsByEmail,
  findSubscriptions,
  findSuppressionReasons,
  insertContactsBulk,
  insertSubscriptionsBulk,
  updateContactsBulk,
  type NewSubscription,
} from "./import-queries.ts";

export interface ImportRow extends ContactRow {
  line: number;
}

export interface ImportContext {
  importId: string;
  fileName: string | null;
  list: ListSummary | undefined;
  consentSource: string;
  legalBasis: LegalBasis;
  suppressionKey: string;
  now: Date;
}

export interface ChunkCounts {
  /** new contacts */
  imported: number;
  /** contacts already on file, given the row's non-empty fields */
  updated: number;
  /** subscriptions made (or a pending one confirmed) by this import, each with a ledger grant */
  subscribed: number;
  /** consent rows whose subscription was already active: nothing written */
  alreadySubscribed: number;
  /** suppressed addresses with consent that were not subscribed, and erased ones not stored at all */
  skippedSuppressed: number;
  /** consent rows for people who unsubscribed after the consent date (or with none given): not resubscribed */
  skippedUnsubscribed: number;
}

export function emptyCounts(): ChunkCounts {
  return {
    imported: 0,
    updated: 0,
    subscribed: 0,
    alreadySubscribed: 0,
    skippedSuppressed: 0,
    skippedUnsubscribed: 0,
  };
}

/** Writes one chunk of validated, de-duplicated rows; runs inside the caller's transaction. */
export async function writeImportChunk(
  tx: Prisma.TransactionClient,
  rows: ImportRow[],
  ctx: ImportContext,
): Promise<ChunkCounts> {
  const counts = emptyCounts();
  const hashes = rows.map((r) => hashAddress(ctx.suppressionKey, r.email));
  const suppressions = await findSuppressionReasons(tx, hashes);
  const existing = await findContactIdsByEmail(
    tx,
    rows.map((r) => r.email),
  );
  const suppressed = new Map(suppressions.map((s) => [s.addressHash, s.reason]));
  const idByEmail = new Map(existing.map((c) => [c.email, c.id]));

  const toCreate: ImportRow[] = [];
  const toUpdate: ImportRow[] = [];
  const mayReceive = new Set<ImportRow>();
  rows.forEach((row, i) => {
    const reason = suppressed.get(hashes[i]!);
    const known = idByEmail.has(row.email);
    // An erased person is not brought back by an old spreadsheet: the suppression hash is all that may remain.
    const dropped = reason === "erased" && !known;
    if (reason === undefined) mayReceive.add(row);
    else if (dropped || (row.consent && ctx.list)) counts.skippedSuppressed++;
    if (!dropped) (known ? toUpdate : toCreate).push(row);
  });

  if (toCreate.length > 0) {
    const created = await insertContactsBulk(tx, toCreate, ctx.now);
    for (const c of created) idByEmail.set(c.email, c.id);
    counts.imported = created.length;
    const lineOf = new Map(toCreate.map((r) => [r.email, r.line]));
    await recordConsents(
      tx,
      created.map((c) => ({
        contactId: c.id,
        purpose: "processing",
        action: "grant",
        legalBasis: ctx.legalBasis,
        source: ctx.consentSource,
        evidence: { importId: ctx.importId, file: ctx.fileName, line: lineOf.get(c.email) ?? null },
        at: ctx.now,
      })),
    );
    // Created meanwhile by someone else (skipDuplicates left them out): update them instead.
    const raced = toCreate.filter((r) => !idByEmail.has(r.email));
    if (raced.length > 0) {
      const found = await findContactIdsByEmail(
        tx,
        raced.map((r) => r.email),
      );
      for (const c of found) idByEmail.set(c.email, c.id);
      toUpdate.push(...raced);
    }
  }
  await updateContactsBulk(
    tx,
    toUpdate.map((r) => ({ id: idByEmail.get(r.email)!, fields: r.fields })),
    ctx.now,
  );
  counts.updated = toUpdate.length;

  if (ctx.list)
    await subscribeConsenting(
      tx,
      rows.filter((r) => r.consent && mayReceive.has(r)),
      idByEmail,
      ctx,
      ctx.list,
      counts,
    );
  return counts;
}

/**
 * Consent in the file subscribes, with a ledger grant carrying the file and
 * line. An existing subscription is left alone; an unsubscribe is only
 * overridden by consent given after it (a stale spreadsheet must not undo a
 * withdrawal).
 */
async function subscribeConsenting(
  tx: Prisma.TransactionClient,
  rows: ImportRow[],
  idByEmail: Map<string, number>,
  ctx: ImportContext,
  list: ListSummary,
  counts: ChunkCounts,
): Promise<void> {
  const withIds = rows.flatMap((r) => {
    const contactId = idByEmail.get(r.email);
    return contactId === undefined ? [] : [{ row: r, contactId }];
  });
  if (withIds.length === 0) return;
  const current = await findSubscriptions(
    tx,
    list.id,
    withIds.map((w) => w.contactId),
  );
  const byContact = new Map(current.map((s) => [s.contactId, s]));
  const creates: NewSubscription[] = [];
  const grants: ConsentEventInput[] = [];
  for (const { row, contactId } of withIds) {
    const sub = byContact.get(contactId);
    const confirmedAt = row.consentedAt ?? ctx.now;
    if (sub?.status === "subscribed") {
      counts.alreadySubscribed++;
      continue;
    }
    if (
      sub?.status === "unsubscribed" &&
      !(row.consentedAt && sub.unsubscribedAt && row.consentedAt > sub.unsubscribedAt)
    ) {
      counts.skippedUnsubscribed++;
      continue;
    }
    if (sub) {
      await tx.subscription.update({
        where: { id: sub.id },
        data: {
          status: "subscribed",
          confirmedAt,
          unsubscribedAt: null,
          source: ctx.consentSource,
        },
        select: { id: true },
      });
    } else {
      creates.push({ contactId, listId: list.id, confirmedAt, source: ctx.consentSource });
    }
    counts.subscribed++;
    grants.push({
      contactId,
      purpose: `newsletter:${list.slug}`,
      action: "grant",
      legalBasis: "consent",
      source: ctx.consentSource,
      evidence: {
        importId: ctx.importId,
        file: ctx.fileName,
        line: row.line,
        consentedAt: row.consentedAt?.toISOString() ?? null,
        importedAt: ctx.now.toISOString(),
      },
      at: confirmedAt,
    });
  }
  await insertSubscriptionsBulk(tx, creates, ctx.now);
  await recordConsents(tx, grants);
}
