import type { ImapSession } from "../adapters/imap-connect.ts";
import { AppError } from "../errors.ts";
import { uidSet } from "./uid-set.ts";

/**
 * Deletes exactly these UIDs from the selected folder: STORE +FLAGS.SILENT
 * (\Deleted), then UID EXPUNGE (RFC 4315 §2.1). imapflow falls back to a plain
 * EXPUNGE without UIDPLUS, which would also remove every other message marked
 * \Deleted in the folder: this file guards that it never gets the chance.
 */
export async function expungeUids(session: ImapSession, uids: readonly number[]): Promise<void> {
  if (uids.length === 0) return;
  if (!session.capabilities.has("UIDPLUS"))
    throw new AppError(
      "refused",
      "the server does not offer UIDPLUS (RFC 4315): deleting by UID is impossible, and a plain EXPUNGE would also remove other messages marked \\Deleted; nothing was deleted",
    );
  // .SILENT: no FETCH response per message for the \Deleted flag (RFC 3501 §6.4.6)
  const ok = await session.messageDelete(uidSet(uids), { uid: true, silent: true } as {
    uid: true;
  });
  if (!ok) throw new Error(`UID EXPUNGE of ${uids.length} messages was refused by the server`);
}
