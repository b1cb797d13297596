/**
 * The handover ledger's queries. A row says: this source message (folder,
 * UIDVALIDITY, UID) is at the target as (folder, UIDVALIDITY, UID), with
 * this key and size. Rows are written after the APPENDUID came back, in
 * batches; a copy not yet written is found at the target by its key.
 */
import type { Db } from "../types.ts";

export interface LedgerRow {
  sourceUid: number;
  messageKey: string;
  size: number;
  targetUid: number;
  targetUidValidity: number;
}

export interface LedgerFolder {
  handoverId: number;
  sourceFolder: string;
  sourceUidValidity: number;
  targetFolder: string;
}

export async function ledgerRows(db: Db, f: LedgerFolder): Promise<LedgerRow[]> {
  const rows = await db.handoverCopy.findMany({
    where: {
      handoverId: f.handoverId,
      sourceFolder: f.sourceFolder,
      sourceUidValidity: BigInt(f.sourceUidValidity),
    },
    select: {
      sourceUid: true,
      messageKey: true,
      size: true,
      targetUid: true,
      targetUidValidity: true,
    },
  });
  return rows.map((r) => ({
    sourceUid: Number(r.sourceUid),
    messageKey: r.messageKey,
    size: r.size,
    targetUid: Number(r.targetUid),
    targetUidValidity: Number(r.targetUidValidity),
  }));
}

/**
 * Forgets rows that no longer identify anything: those of an older source
 * UIDVALIDITY (the server renumbered the folder; the copies are matched
 * again by key) and those of an older target UIDVALIDITY (the target folder
 * was recreated; its copies are gone and are made again). Mail is not touched.
 */
export async function dropStaleLedgerRows(
  db: Db,
  f: LedgerFolder,
  targetUidValidity: number,
): Promise<number> {
  const { count } = await db.handoverCopy.deleteMany({
    where: {
      handoverId: f.handoverId,
      OR: [
        {
          sourceFolder: f.sourceFolder,
          sourceUidValidity: { not: BigInt(f.sourceUidValidity) },
        },
        { targetFolder: f.targetFolder, targetUidValidity: { not: BigInt(targetUidValidity) } },
      ],
    },
  });
  return count;
}

export async function writeLedgerRows(db: Db, f: LedgerFolder, rows: LedgerRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.handoverCopy.createMany({
    data: rows.map((r) => ({
      handoverId: f.handoverId,
      sourceFolder: f.sourceFolder,
      sourceUidValidity: BigInt(f.sourceUidValidity),
      sourceUid: BigInt(r.sourceUid),
      messageKey: r.messageKey,
      size: r.size,
      targetFolder: f.targetFolder,
      targetUidValidity: BigInt(r.targetUidValidity),
      targetUid: BigInt(r.targetUid),
    })),
  });
}

/** target UIDs the ledger holds for a target folder, across all source folders */
export async function claimedTargetUids(
  db: Db,
  handoverId: number,
  targetFolder: string,
  targetUidValidity: number,
): Promise<Set<number>> {
  const rows = await db.handoverCopy.findMany({
    where: { handoverId, targetFolder, targetUidValidity: BigInt(targetUidValidity) },
    select: { targetUid: true },
  });
  return new Set(rows.map((r) => Number(r.targetUid)));
}
