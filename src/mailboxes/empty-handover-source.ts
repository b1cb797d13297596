/**
 * Empties the departed mailbox after verification: in each folder, exactly
 * the UIDs read when the handover selected (UID STORE \Deleted, then UID
 * EXPUNGE of that set, RFC 4315; never a plain EXPUNGE, which would also
 * take messages someone else marked \Deleted). A folder whose UIDVALIDITY
 * changed since is left alone: its UIDs name other messages now.
 */
import type { HandoverSession } from "./handover-types.ts";

export interface EmptyPlan {
  path: string;
  uidValidity: number;
  uids: number[];
}

export async function emptyHandoverSource(
  source: HandoverSession,
  plan: EmptyPlan[],
): Promise<{ deleted: number; left: number }> {
  let deleted = 0;
  let left = 0;
  for (const folder of plan) {
    const state = await source.open(folder.path, { write: true });
    if (state.uidValidity !== folder.uidValidity) {
      left += state.exists;
      continue;
    }
    if (folder.uids.length > 0) {
      const before = state.exists;
      await source.expungeUids(folder.uids);
      const after = await source.searchAll();
      deleted += before - after.length;
      left += after.length;
    }
  }
  return { deleted, left };
}
