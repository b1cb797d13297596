/**
 * The handover's view of an IMAP account, declared here where it is used and
 * implemented in src/adapters/imap-handover-session.ts.
 *
 * - source: the departing employee's mailbox; target: the successor's.
 * - folder path: the name as the server sends it (modified UTF-7, RFC 3501
 *   5.1.3, with the server's separator); folder name: the same decoded to UTF-8.
 * - message key: the Message-ID as written, or "sha256:" and a hash of the
 *   whole header for a message without one; the copy is byte-equal, so the
 *   key is the same at both ends.
 */
export interface FolderEntry {
  path: string;
  /** UTF-8, for people and the ledger */
  name: string;
  delimiter: string | null;
  /** RFC 6154 attributes such as "\\Trash", "\\Junk", "\\Drafts" */
  specialUse: string[];
  /** \Noselect or \NonExistent: a hierarchy node without messages */
  noselect: boolean;
}

export interface FolderState {
  uidValidity: number;
  exists: number;
  uidNext: number;
}

export interface MessageMeta {
  uid: number;
  size: number;
  flags: string[];
  /** as the server sent it, e.g. "01-Jan-2024 10:00:00 +0000"; handed to APPEND unchanged */
  internalDate: string;
  key: string;
  /** the Message-ID without angle brackets, if any */
  messageId: string | null;
  /** the From, To and Cc fields, unfolded, when asked for */
  addressHeaders?: string;
}

export interface CopyItem {
  uid: number;
  size: number;
  flags: string[];
  internalDate: string;
}

export interface CopiedMessage {
  uid: number;
  size: number;
  targetUid: number;
  targetUidValidity: number;
}

export interface HandoverSession {
  readonly capabilities: ReadonlySet<string>;
  /** the connection is gone; open a new session */
  readonly closed: boolean;
  listFolders(): Promise<FolderEntry[]>;
  /** EXAMINE (read-only) unless `write`; then SELECT */
  open(path: string, opts?: { write?: boolean }): Promise<FolderState>;
  /** STATUS of a folder that may not exist: undefined if it does not */
  status(path: string): Promise<FolderState | undefined>;
  /** every message of the open folder, or the given UIDs, with its key */
  fetchMeta(
    uids: "all" | number[],
    opts: { addressHeaders: boolean },
    each: (meta: MessageMeta) => void,
  ): Promise<void>;
  /** UID SEARCH ALL in the open folder */
  searchAll(): Promise<number[]>;
  createFolder(path: string): Promise<void>;
  /** the server's hierarchy separator for new folder names */
  separator(): Promise<string>;
  /**
   * FETCH from this (source) session's open folder and APPEND to `target`,
   * streamed; `onCopied` per APPENDUID, `onVanished` for UIDs the server no
   * longer has. Rejects on the first refusal or lost connection, after the
   * answers to what was already sent have come in (or the connection died).
   */
  copyTo(
    target: HandoverSession,
    targetPath: string,
    items: CopyItem[],
    on: { copied(m: CopiedMessage): void; vanished(uid: number): void; bytes(n: number): void },
  ): Promise<void>;
  /** UID STORE +FLAGS.SILENT (\Deleted) and UID EXPUNGE (RFC 4315) in the folder open for writing */
  expungeUids(uids: number[]): Promise<void>;
  close(): Promise<void>;
}

export type OpenHandoverSession = (account: ImapAccount) => Promise<HandoverSession>;

export interface ImapAccount {
  host: string;
  port: number;
  tls: "implicit" | "starttls" | "none";
  user: string;
  password: string;
  rejectUnauthorized?: boolean;
}

/** a lost or refused connection, worth a retry on a fresh one (not a refusal such as OVERQUOTA) */
export function isConnectionLoss(error: unknown): boolean {
  const kind = (error as { kind?: unknown } | null)?.kind;
  return kind === "closed" || kind === "connect";
}
