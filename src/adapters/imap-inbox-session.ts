/**
 * The watcher's IMAP connection, over imapflow.
 *
 * - TCP_NODELAY on the socket: imapflow writes some commands in two pieces,
 *   and Nagle's algorithm with a delayed ACK holds the second back ~40 ms
 *   (see TESTING.md). imapflow hands every established socket (cleartext,
 *   TLS, STARTTLS-upgraded) to configureSocket(); we set the option there.
 * - Certificates are verified unless the operator opted out for this mailbox.
 * - imapflow's logger is off: its entries can carry the LOGIN command.
 * - No command is ever issued inside a fetch() iteration on the same
 *   connection (imapflow deadlocks): fetchAll() collects a UID batch first.
 * - IDLE (RFC 2177) is imapflow's auto-IDLE once the folder is selected; its
 *   EXISTS notifications wake the watcher. Without IDLE the watcher polls.
 */
import type { Socket } from "node:net";
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import type { WatchedMailbox } from "../config/inbox-config.ts";
import { AppError } from "../errors.ts";
import type {
  ChangeEvent,
  FetchedMessage,
  FolderState,
  InboxSession,
} from "../inbox/inbox-session.ts";

class NoDelayImapFlow extends ImapFlow {
  // imapflow's internal hook for every established application socket
  configureSocket(socket: Socket | undefined): void {
    socket?.setNoDelay?.(true);
    (ImapFlow.prototype as unknown as { configureSocket(s: unknown): void }).configureSocket.call(
      this,
      socket,
    );
  }
}

export async function openImapInboxSession(
  mailbox: WatchedMailbox,
  opts: { socketTimeoutMs?: number } = {},
): Promise<InboxSession> {
  const { user, pass } = mailbox.credentials();
  const options: ImapFlowOptions = {
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    auth: { user, pass },
    logger: false,
    tls: { rejectUnauthorized: mailbox.tlsVerify },
    // IDLE is restarted at least this often, so a connection a NAT silently dropped is noticed
    maxIdleTime: 5 * 60_000,
    socketTimeout: opts.socketTimeoutMs ?? 10 * 60_000,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
  };
  const client = new NoDelayImapFlow(options);
  let closed = false;
  const wakers = new Set<(event: ChangeEvent) => void>();
  const wake = (event: ChangeEvent) => {
    for (const w of [...wakers]) w(event);
  };
  // an 'error' event without a listener would crash the process; the close that follows reconnects
  client.on("error", () => {});
  client.on("close", () => {
    closed = true;
    wake("closed");
  });
  client.on("exists", () => wake("change"));
  try {
    await client.connect();
  } catch (error) {
    closed = true;
    const e = error as { authenticationFailed?: boolean; code?: string };
    if (e.authenticationFailed)
      throw new AppError(
        "refused",
        `mailbox "${mailbox.key}": the IMAP server refused the login; check INBOX_<NAME>_PASSWORD(_FILE)`,
      );
    throw new AppError(
      "refused",
      `mailbox "${mailbox.key}": cannot connect to the IMAP server (${e.code ?? (error as Error).message})`,
    );
  }
  (client as unknown as { socket?: Socket }).socket?.setNoDelay?.(true);
  const idle = client.capabilities.has("IDLE");
  let selected = "";

  const uidSet = (uids: number[]) => compactUidSet(uids);

  return {
    idle,
    get closed() {
      return closed;
    },
    async open(): Promise<FolderState> {
      let path: string;
      if ("path" in mailbox.folder) path = mailbox.folder.path;
      else {
        const want = mailbox.folder.specialUse;
        const found = (await client.list()).find((m) => m.specialUse === want);
        if (!found)
          throw new AppError(
            "not_found",
            `mailbox "${mailbox.key}": the server marks no folder ${want} (RFC 6154 SPECIAL-USE)`,
          );
        path = found.path;
      }
      const box = await client.mailboxOpen(path);
      selected = path;
      return {
        path,
        uidValidity: BigInt(box.uidValidity),
        uidNext: box.uidNext,
        exists: box.exists,
      };
    },
    async uidsAfter(uid) {
      // "n:*" always includes the highest UID even when it is below n (RFC 3501 §6.4.8): filter
      const found = await client.search({ uid: `${uid + 1}:*` }, { uid: true });
      return (found || []).filter((u) => u > uid).sort((a, b) => a - b);
    },
    async uidsBetween(from, to, opts) {
      if (to < from || to < 1) return [];
      const query = opts?.unmarked
        ? { uid: `${Math.max(1, from)}:${to}`, unKeyword: opts.unmarked, flagged: false }
        : { uid: `${Math.max(1, from)}:${to}` };
      const found = await client.search(query, { uid: true });
      return (found || []).filter((u) => u >= from && u <= to).sort((a, b) => a - b);
    },
    async fetch(uids): Promise<FetchedMessage[]> {
      if (uids.length === 0) return [];
      const messages = await client.fetchAll(
        uidSet(uids),
        { uid: true, source: true },
        { uid: true },
      );
      return messages
        .filter((m) => m.source)
        .map((m) => ({ uid: m.uid, source: m.source! }))
        .sort((a, b) => a.uid - b.uid);
    },
    async addFlags(uids, flags) {
      if (uids.length > 0) await client.messageFlagsAdd(uidSet(uids), flags, { uid: true });
    },
    async move(uids, folder) {
      if (uids.length === 0 || folder === selected) return;
      // imapflow uses MOVE (RFC 6851) and falls back to COPY + flag + UID EXPUNGE of these UIDs only (RFC 4315)
      await client.messageMove(uidSet(uids), folder, { uid: true });
    },
    waitForChange(ms, signal) {
      if (closed) return Promise.resolve("closed");
      if (signal.aborted) return Promise.resolve("aborted");
      return new Promise<ChangeEvent>((resolve) => {
        const done = (event: ChangeEvent) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          wakers.delete(done);
          resolve(event);
        };
        const onAbort = () => done("aborted");
        const timer = setTimeout(() => done("timeout"), ms);
        signal.addEventListener("abort", onAbort);
        wakers.add(done);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      // LOGOUT may be answered after the timeout, or refused: never an unhandled rejection
      const bye = client.logout().catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([bye, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      client.close();
    },
  };
}

/** "3,5:9,12": a UID set (RFC 3501 §9 sequence-set) from ascending-or-not UIDs */
export function compactUidSet(uids: number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
