/**
 * Copies a folder's selected messages to the target, so that afterwards
 * each is at the target exactly once and in the ledger.
 *
 * Invariant: a message is APPENDed only when neither the ledger nor the
 * target has it. Before copying, target messages that the ledger does not
 * claim are matched to pending source messages by key and size (a copy
 * whose APPENDUID came back but whose ledger row was never written: the
 * crash window); matched ones are recorded, not copied again. Identical
 * duplicates within the source have the same key: matching takes one
 * target copy per source UID, so each still gets its own copy. After a lost
 * connection the match runs again before anything is re-sent.
 */
import { AppError } from "../errors.ts";
import type { Db, Logger } from "../types.ts";
import {
  claimedTargetUids,
  dropStaleLedgerRows,
  ledgerRows,
  writeLedgerRows,
  type LedgerFolder,
  type LedgerRow,
} from "./handover-ledger.ts";
import { isConnectionLoss, type HandoverSession, type MessageMeta } from "./handover-types.ts";

export interface HandoverConnections {
  workers: number;
  /** the control pair: listing, matching, verifying, emptying */
  control(): Promise<{ source: HandoverSession; target: HandoverSession }>;
  /** worker i's pair, reopened if it was lost */
  pair(i: number): Promise<{ source: HandoverSession; target: HandoverSession }>;
  /** drops worker i's pair after a failure */
  discard(i: number): void;
}

export interface FolderCopyResult {
  /** recorded in this call: copied now or found at the target */
  copied: number;
  copiedBytes: number;
  matched: number;
  alreadyInLedger: number;
  vanished: number[];
  retries: number;
}

const CHUNK = 500;
const MAX_ATTEMPTS = 6;

export async function copyHandoverFolder(
  deps: {
    db: Db;
    log: Logger;
    conns: HandoverConnections;
    onCopied(n: number, bytes: number): void;
  },
  f: LedgerFolder & { targetPath: string },
  selected: MessageMeta[],
): Promise<FolderCopyResult> {
  const { db, conns } = deps;
  const result: FolderCopyResult = {
    copied: 0,
    copiedBytes: 0,
    matched: 0,
    alreadyInLedger: 0,
    vanished: [],
    retries: 0,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const { target } = await conns.control();
      await target.createFolder(f.targetPath);
      const state = await target.open(f.targetPath);
      const dropped = await dropStaleLedgerRows(db, f, state.uidValidity);
      if (dropped > 0)
        deps.log.warn("handover: ledger rows of an older UIDVALIDITY dropped", {
          handoverId: f.handoverId,
          rows: dropped,
        });
      const recorded = new Set((await ledgerRows(db, f)).map((r) => r.sourceUid));
      const vanished = new Set(result.vanished);
      let pending = selected.filter((m) => !recorded.has(m.uid) && !vanished.has(m.uid));
      if (attempt === 1) result.alreadyInLedger = selected.length - pending.length;
      if (pending.length === 0) return result;
      const before = pending.length;
      pending = await matchAtTarget(db, target, f, state.uidValidity, pending);
      result.matched += before - pending.length;
      deps.onCopied(before - pending.length, 0);
      if (pending.length === 0) return result;
      const failures = await copyPending(deps, f, pending, result);
      if (failures.length === 0) return result;
      throw failures[0];
    } catch (error) {
      if (!isConnectionLoss(error) || attempt >= MAX_ATTEMPTS) throw error;
      result.retries++;
      deps.log.warn("handover: connection lost; matching and resuming", {
        handoverId: f.handoverId,
        attempt,
        error: (error as Error).message,
      });
      await new Promise((r) => setTimeout(r, Math.min(4000, 250 * 2 ** attempt)));
    }
  }
}

async function matchAtTarget(
  db: Db,
  target: HandoverSession,
  f: LedgerFolder,
  targetUidValidity: number,
  pending: MessageMeta[],
): Promise<MessageMeta[]> {
  const claimed = await claimedTargetUids(db, f.handoverId, f.targetFolder, targetUidValidity);
  const orphans = new Map<string, number[]>();
  let any = false;
  await target.fetchMeta("all", { addressHeaders: false }, (m) => {
    if (claimed.has(m.uid)) return;
    const id = `${m.key}\u0000${m.size}`;
    orphans.set(id, [...(orphans.get(id) ?? []), m.uid]);
    any = true;
  });
  if (!any) return pending;
  const rows: LedgerRow[] = [];
  const left: MessageMeta[] = [];
  for (const m of pending) {
    const uid = orphans.get(`${m.key}\u0000${m.size}`)?.shift();
    if (uid === undefined) left.push(m);
    else
      rows.push({
        sourceUid: m.uid,
        messageKey: m.key,
        size: m.size,
        targetUid: uid,
        targetUidValidity,
      });
  }
  await writeLedgerRows(db, f, rows);
  return left;
}

/** Workers take chunks from one queue; returns the connection losses (other errors throw). */
async function copyPending(
  deps: { db: Db; conns: HandoverConnections; onCopied(n: number, bytes: number): void },
  f: LedgerFolder & { targetPath: string },
  pending: MessageMeta[],
  result: FolderCopyResult,
): Promise<Error[]> {
  const queue: MessageMeta[][] = [];
  const sorted = [...pending].sort((a, b) => a.uid - b.uid);
  for (let i = 0; i < sorted.length; i += CHUNK) queue.push(sorted.slice(i, i + CHUNK));
  const writer = ledgerWriter(deps.db, f);
  const losses: Error[] = [];
  let fatal: Error | undefined;
  const worker = async (i: number) => {
    while (queue.length > 0 && !fatal) {
      const chunk = queue.shift()!;
      const keys = new Map(chunk.map((m) => [m.uid, m.key]));
      try {
        const { source, target } = await deps.conns.pair(i);
        const state = await source.open(f.sourceFolder);
        if (state.uidValidity !== f.sourceUidValidity)
          throw new AppError(
            "conflict",
            `the source folder's UIDVALIDITY changed during the handover (${f.sourceUidValidity} -> ${state.uidValidity}); rerun to select again`,
          );
        await source.copyTo(target, f.targetPath, chunk, {
          copied: (m) => {
            writer.add({
              sourceUid: m.uid,
              messageKey: keys.get(m.uid)!,
              size: m.size,
              targetUid: m.targetUid,
              targetUidValidity: m.targetUidValidity,
            });
            result.copied++;
            result.copiedBytes += m.size;
            deps.onCopied(1, 0);
          },
          vanished: (uid) => result.vanished.push(uid),
          bytes: (n) => deps.onCopied(0, n),
        });
      } catch (error) {
        deps.conns.discard(i);
        if (!isConnectionLoss(error)) {
          fatal ??= error as Error;
          return;
        }
        losses.push(error as Error);
        return;
      }
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(deps.conns.workers, queue.length) }, (_, i) => worker(i)),
    );
  } finally {
    await writer.close();
  }
  if (fatal) throw fatal;
  return losses;
}

/** Batches ledger rows: one INSERT per 500 rows or 200 ms, written in order. */
function ledgerWriter(db: Db, f: LedgerFolder) {
  let rows: LedgerRow[] = [];
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = rows;
    rows = [];
    if (batch.length > 0) chain = chain.then(() => writeLedgerRows(db, f, batch));
  };
  return {
    add(row: LedgerRow) {
      rows.push(row);
      if (rows.length >= 500) flush();
      else timer ??= setTimeout(flush, 200);
    },
    async close() {
      flush();
      await chain;
    },
  };
}
