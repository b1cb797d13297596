import type { ImapSession } from "../adapters/imap-connect.ts";
import type { CleanupPolicy } from "./cleanup-policy.ts";
import type { KeepRules } from "./load-keep-rules.ts";
import { resolveCleanupFolders, type CleanupFolder } from "./resolve-cleanup-folders.ts";

export interface CleanupTargets {
  folders: CleanupFolder[];
  /** policy selectors no folder on this server matched (shown, never an error: a mailbox may lack Junk) */
  unmatched: string[];
  /** the \Trash folder, for delete mode "trash" */
  trashPath: string | null;
}

/** The folders a policy covers in this mailbox, found by SPECIAL-USE where the server says it. */
export async function findCleanupTargets(
  session: ImapSession,
  policy: Pick<CleanupPolicy, "folders" | "keepFolders">,
): Promise<CleanupTargets> {
  const listed = await session.list();
  const hasSpecialUse = session.capabilities.has("SPECIAL-USE");
  const { folders, unmatched } = resolveCleanupFolders(listed, policy, hasSpecialUse);
  const trash = listed.find(
    (f) => f.specialUse === "\\Trash" && (f.specialUseSource !== "name" || !hasSpecialUse),
  );
  return { folders, unmatched, trashPath: trash?.path ?? null };
}

export type { KeepRules };
