import type { ImapSession } from "../adapters/imap-connect.ts";
import type { KeepRules } from "./load-keep-rules.ts";
import type { CleanupFolder } from "./resolve-cleanup-folders.ts";
import { searchUids } from "./search-uids.ts";
import { uidSet } from "./uid-set.ts";

export interface SelectedMessage {
  uid: number;
  size: number;
  internalDate: Date;
}

export interface FolderSelection extends CleanupFolder {
  uidValidity: string;
  /** matched the server-side SEARCH (older than the cutoff, not flagged, not \Deleted) */
  candidates: number;
  keptDialogue: number;
  keptCustomer: number;
  /** what the policy selects now, by UID, ascending */
  messages: SelectedMessage[];
}

const FETCH_CHUNK = 5000;

/**
 * The server does the date and flag part: `UID SEARCH BEFORE <cutoff> UNFLAGGED
 * UNDELETED` (BEFORE compares the internal date, RFC 3501 §6.4.4; a message
 * already marked \Deleted by the employee's client is theirs to expunge, not
 * ours). Then one FETCH per 5,000 candidates brings size and internal date,
 * and the envelope when a keep rule needs Message-ID and addresses. Opens the
 * folder (read-only for a dry run); it stays selected for the caller.
 */
export async function selectFolderMessages(
  session: ImapSession,
  folder: CleanupFolder,
  opts: {
    cutoff: Date;
    keep: KeepRules;
    readOnly: boolean;
    /** only these UIDs (a re-check before deleting) */
    within?: string;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<FolderSelection> {
  const box = await session.mailboxOpen(folder.path, { readOnly: opts.readOnly });
  const uids = await searchUids(
    session,
    {
      before: opts.cutoff,
      flagged: false,
      deleted: false,
      ...(opts.within ? { uid: opts.within } : {}),
    },
    folder.path,
  );
  const result: FolderSelection = {
    ...folder,
    uidValidity: String(box.uidValidity),
    candidates: uids.length,
    keptDialogue: 0,
    keptCustomer: 0,
    messages: [],
  };
  for (let i = 0; i < uids.length; i += FETCH_CHUNK) {
    const chunk = uids.slice(i, i + FETCH_CHUNK);
    // fetchAll: no other command may run on this connection while a FETCH streams
    const fetched = await session.fetchAll(
      uidSet(chunk),
      { uid: true, size: true, internalDate: true, envelope: opts.keep.active },
      { uid: true },
    );
    const linked = opts.keep.active
      ? await opts.keep.linkedMessageIds(
          fetched.map((m) => m.envelope?.messageId).filter((id): id is string => !!id),
        )
      : new Set<string>();
    for (const m of fetched) {
      const env = m.envelope;
      if (env?.messageId && linked.has(env.messageId)) {
        result.keptDialogue++;
        continue;
      }
      if (env) {
        const people = [env.from, env.sender, env.replyTo, env.to, env.cc, env.bcc].flatMap(
          (list) => list ?? [],
        );
        if (people.some((p) => p.address && opts.keep.isCustomerAddress(p.address))) {
          result.keptCustomer++;
          continue;
        }
      }
      result.messages.push({
        uid: m.uid,
        size: m.size ?? 0,
        internalDate:
          m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0),
      });
    }
    opts.onProgress?.(Math.min(i + FETCH_CHUNK, uids.length), uids.length);
  }
  result.messages.sort((a, b) => a.uid - b.uid);
  return result;
}
