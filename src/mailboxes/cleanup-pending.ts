import type { ImapSession } from "../adapters/imap-connect.ts";
import { expungeUids } from "./expunge-uids.ts";
import { searchUids } from "./search-uids.ts";

/**
 * A deletion step that has begun but may not have finished, saved in the
 * cleanup run before the step starts. After a cut connection or a killed
 * worker the next attempt settles it first:
 * - "flag": UIDs in `folder` about to get \Deleted and be expunged. Those the
 *   policy still selects are expunged by UID; those it no longer selects (the
 *   employee flagged one meanwhile) lose the \Deleted this run set (they were
 *   selected UNDELETED, so the flag was ours).
 * - "trash": UIDs already moved into the Trash folder `folder`; expunged by UID.
 */
export interface PendingDeletion {
  stage: "flag" | "trash";
  folder: string;
  uidValidity: string;
  uids: string;
  /** ISO date of the run's cutoff */
  cutoff: string;
}

export async function settlePendingDeletion(
  session: ImapSession,
  pending: PendingDeletion,
): Promise<{ expunged: number; restored: number; stale: boolean }> {
  const box = await session.mailboxOpen(pending.folder);
  // Another UIDVALIDITY means the UIDs now name other messages (RFC 3501 §2.3.1.1): touch nothing.
  if (String(box.uidValidity) !== pending.uidValidity)
    return { expunged: 0, restored: 0, stale: true };
  if (pending.stage === "trash") {
    const present = await searchUids(session, { uid: pending.uids }, pending.folder);
    await expungeUids(session, present);
    return { expunged: present.length, restored: 0, stale: false };
  }
  const still = await searchUids(
    session,
    { uid: pending.uids, before: new Date(pending.cutoff), flagged: false },
    pending.folder,
  );
  await expungeUids(session, still);
  const stillSet = new Set(still);
  const marked = (
    await searchUids(session, { uid: pending.uids, deleted: true }, pending.folder)
  ).filter((u) => !stillSet.has(u));
  if (marked.length > 0) await session.messageFlagsRemove(marked, ["\\Deleted"], { uid: true });
  return { expunged: still.length, restored: marked.length, stale: false };
}
