import type { CleanupPolicy } from "./cleanup-policy.ts";

export interface ListedFolder {
  path: string;
  delimiter?: string | undefined;
  flags: Set<string>;
  specialUse?: string | undefined;
  /** "extension" when the server said so (RFC 6154); "name" when imapflow guessed from the name */
  specialUseSource?: string | undefined;
}

export interface CleanupFolder {
  path: string;
  specialUse: string | null;
}

/**
 * Which folders a policy covers on this server. A selector is a folder name
 * (exact; INBOX in any case), a SPECIAL-USE attribute such as \Sent, or "*"
 * for every selectable folder. SPECIAL-USE comes from the server's LIST
 * answer; imapflow's guess from the name is used only when the server does not
 * advertise SPECIAL-USE at all. A kept folder is kept with its subfolders.
 */
export function resolveCleanupFolders(
  listed: readonly ListedFolder[],
  policy: Pick<CleanupPolicy, "folders" | "keepFolders">,
  serverHasSpecialUse: boolean,
): { folders: CleanupFolder[]; unmatched: string[] } {
  const selectable = listed.filter(
    (f) => !f.flags.has("\\Noselect") && !f.flags.has("\\NonExistent"),
  );
  const use = (f: ListedFolder) =>
    f.specialUse && (f.specialUseSource !== "name" || !serverHasSpecialUse)
      ? f.specialUse
      : f.flags.has("\\Inbox") || f.path.toUpperCase() === "INBOX"
        ? "\\Inbox"
        : null;
  const matches = (f: ListedFolder, selector: string) =>
    selector === "*" ||
    (selector.startsWith("\\")
      ? use(f)?.toLowerCase() === selector.toLowerCase()
      : selector.toUpperCase() === "INBOX"
        ? f.path.toUpperCase() === "INBOX"
        : f.path === selector);
  const kept = (f: ListedFolder) =>
    policy.keepFolders.some((k) => {
      if (matches(f, k)) return true;
      const parent = selectable.find((p) => matches(p, k) && k !== "*");
      const delimiter = f.delimiter ?? "/";
      return parent !== undefined && f.path.startsWith(parent.path + delimiter);
    });
  const unmatched = policy.folders.filter((s) => !selectable.some((f) => matches(f, s)));
  const folders = selectable
    .filter((f) => policy.folders.some((s) => matches(f, s)) && !kept(f))
    .map((f) => ({ path: f.path, specialUse: use(f) }));
  return { folders, unmatched };
}
