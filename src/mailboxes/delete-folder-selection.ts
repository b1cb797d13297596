import type { ImapSession } from "../adapters/imap-connect.ts";
import type { PendingDeletion } from "./cleanup-pending.ts";
import { expungeUids } from "./expunge-uids.ts";
import { searchUids } from "./search-uids.ts";
import type { FolderSelection } from "./select-folder-messages.ts";
import { uidSet } from "./uid-set.ts";

export interface DeleteOptions {
  cutoff: Date;
  mode: "expunge" | "trash";
  /** the \Trash folder's path, for mode "trash" */
  trashPath: string | null;
  /** records a step before it starts, null when it is done (see cleanup-pending.ts) */
  savePending(pending: PendingDeletion | null): Promise<void>;
  onProgress?(done: number, total: number): void;
  /** after each batch: what it deleted, so a run cut short still counts what went */
  onTally?(deleted: number, bytes: number, unselected: number): void;
  batchSize?: number;
}

/**
 * Deletes one folder's selection, batch by batch, by UID only. Each batch is
 * checked again on the server just before it goes (`UID SEARCH UID <batch>
 * BEFORE <cutoff> UNFLAGGED UNDELETED`): a message the employee flagged since
 * the selection stays. The folder must be selected read-write.
 */
export async function deleteFolderSelection(
  session: ImapSession,
  selection: FolderSelection,
  opts: DeleteOptions,
): Promise<{ deleted: number; bytes: number; unselected: number }> {
  const size = new Map(selection.messages.map((m) => [m.uid, m.size]));
  const all = selection.messages.map((m) => m.uid);
  const batchSize = opts.batchSize ?? 5000;
  const viaTrash =
    opts.mode === "trash" && opts.trashPath !== null && opts.trashPath !== selection.path;
  let deleted = 0;
  let bytes = 0;
  let unselected = 0;
  for (let i = 0; i < all.length; i += batchSize) {
    const batch = all.slice(i, i + batchSize);
    const set = uidSet(batch);
    if (!viaTrash)
      await opts.savePending({
        stage: "flag",
        folder: selection.path,
        uidValidity: selection.uidValidity,
        uids: set,
        cutoff: opts.cutoff.toISOString(),
      });
    const still = await searchUids(
      session,
      { uid: set, before: opts.cutoff, flagged: false, deleted: false },
      selection.path,
    );
    unselected += batch.length - still.length;
    let batchBytes = 0;
    if (still.length > 0) {
      if (viaTrash) {
        // MOVE is atomic (RFC 6851 §3.3): a message is in one folder or the other, never flagged in between.
        const moved = await session.messageMove(uidSet(still), opts.trashPath!, { uid: true });
        if (!moved)
          throw new Error(`MOVE to Trash was refused in ${JSON.stringify(selection.path)}`);
        const targets = [...(moved.uidMap?.values() ?? [])];
        if (targets.length > 0 && moved.uidValidity !== undefined) {
          await opts.savePending({
            stage: "trash",
            folder: opts.trashPath!,
            uidValidity: String(moved.uidValidity),
            uids: uidSet(targets),
            cutoff: opts.cutoff.toISOString(),
          });
          await session.mailboxOpen(opts.trashPath!);
          await expungeUids(session, targets);
          await session.mailboxOpen(selection.path);
        }
      } else {
        await expungeUids(session, still);
      }
      deleted += still.length;
      for (const uid of still) batchBytes += size.get(uid) ?? 0;
      bytes += batchBytes;
    }
    await opts.savePending(null);
    opts.onTally?.(still.length, batchBytes, batch.length - still.length);
    opts.onProgress?.(Math.min(i + batchSize, all.length), all.length);
  }
  return { deleted, bytes, unselected };
}
