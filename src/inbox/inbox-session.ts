/**
 * The narrow view of one IMAP connection that the watcher is handed
 * (src/adapters/imap-inbox-session.ts makes it with imapflow). Every range is
 * by UID (RFC 3501 §2.3.1.1), never by sequence number: sequence numbers move
 * when others expunge.
 */
import type { WatchedMailbox } from "../config/inbox-config.ts";

export interface FolderState {
  /** the folder's path on the server (for a team Sent folder, found by SPECIAL-USE) */
  path: string;
  uidValidity: bigint;
  /** the UID the next message will get (RFC 3501 §2.3.1.1) */
  uidNext: number;
  exists: number;
}

export interface FetchedMessage {
  uid: number;
  source: Buffer;
}

export type ChangeEvent = "change" | "timeout" | "closed" | "aborted";

export interface InboxSession {
  /** selects the watched folder */
  open(): Promise<FolderState>;
  /** UIDs above `uid`, ascending */
  uidsAfter(uid: number): Promise<number[]>;
  /**
   * UIDs from `from` to `to` (inclusive), ascending; with `unmarked`, only those that
   * carry neither that keyword nor \Flagged (the marks the watcher leaves)
   */
  uidsBetween(from: number, to: number, opts?: { unmarked?: string }): Promise<number[]>;
  /** the raw messages for these UIDs (ones expunged meanwhile are simply absent) */
  fetch(uids: number[]): Promise<FetchedMessage[]>;
  addFlags(uids: number[], flags: string[]): Promise<void>;
  move(uids: number[], folder: string): Promise<void>;
  /** resolves on new mail (IDLE's EXISTS, RFC 2177), after `ms`, on abort, or when the connection closes */
  waitForChange(ms: number, signal: AbortSignal): Promise<ChangeEvent>;
  /** whether the server offers IDLE; without it the watcher polls */
  readonly idle: boolean;
  readonly closed: boolean;
  close(): Promise<void>;
}

export type OpenInboxSession = (mailbox: WatchedMailbox) => Promise<InboxSession>;
