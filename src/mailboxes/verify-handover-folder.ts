/**
 * Verification of one folder, the gate before anything at the source is
 * deleted: every selected message has a ledger row, and the target holds a
 * message under that row's UID with the same size and key; no target
 * message is claimed twice, and no unclaimed target message repeats a
 * claimed one's key and size (a second copy).
 */
import type { Db } from "../types.ts";
import { ledgerRows, type LedgerFolder } from "./handover-ledger.ts";
import type { HandoverSession } from "./handover-types.ts";

export interface FolderVerification {
  selected: number;
  verified: number;
  verifiedBytes: number;
  /** selected source UIDs without a ledger row */
  missing: number[];
  /** source UIDs whose target copy is absent or differs */
  mismatched: number[];
  /** target UIDs that hold a second copy of a recorded message */
  duplicates: number[];
  /** target messages neither recorded nor duplicates (kept, reported) */
  extras: number;
}

export async function verifyHandoverFolder(
  db: Db,
  target: HandoverSession,
  f: LedgerFolder & { targetPath: string },
  selectedUids: readonly number[],
): Promise<FolderVerification> {
  const state = await target.open(f.targetPath);
  const atTarget = new Map<number, { size: number; key: string }>();
  await target.fetchMeta("all", { addressHeaders: false }, (m) =>
    atTarget.set(m.uid, { size: m.size, key: m.key }),
  );
  const rows = new Map((await ledgerRows(db, f)).map((r) => [r.sourceUid, r]));
  const out: FolderVerification = {
    selected: selectedUids.length,
    verified: 0,
    verifiedBytes: 0,
    missing: [],
    mismatched: [],
    duplicates: [],
    extras: 0,
  };
  const claimed = new Map<number, number>();
  for (const row of rows.values())
    claimed.set(row.targetUid, (claimed.get(row.targetUid) ?? 0) + 1);
  for (const uid of selectedUids) {
    const row = rows.get(uid);
    if (!row) {
      out.missing.push(uid);
      continue;
    }
    const there = atTarget.get(row.targetUid);
    if (
      row.targetUidValidity !== state.uidValidity ||
      !there ||
      there.size !== row.size ||
      there.key !== row.messageKey ||
      claimed.get(row.targetUid) !== 1
    ) {
      out.mismatched.push(uid);
      continue;
    }
    out.verified++;
    out.verifiedBytes += row.size;
  }
  const recordedKeys = new Set([...rows.values()].map((r) => `${r.messageKey}\u0000${r.size}`));
  for (const [uid, m] of atTarget) {
    if (claimed.has(uid)) continue;
    if (recordedKeys.has(`${m.key}\u0000${m.size}`)) out.duplicates.push(uid);
    else out.extras++;
  }
  return out;
}
