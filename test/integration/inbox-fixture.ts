// Shared by the inbox integration tests: messages built the way real MTAs and
// mail clients write them, a seeded campaign with deliveries, and a watcher run
// in-process against a real Dovecot.
import { ImapFlow } from "imapflow";
import { openImapInboxSession } from "../../src/adapters/imap-inbox-session.ts";
import { createMessageReader } from "../../src/adapters/message-reader.ts";
import type { Config } from "../../src/config/load-config.ts";
import { readOptionsOf } from "../../src/inbox/read-message.ts";
import { watchMailbox } from "../../src/inbox/watch-mailbox.ts";
import { scanSensitive } from "../../src/privacy/scan-sensitive.ts";
import type { Db, Logger, Sql } from "../../src/types.ts";

export const quiet: Logger = process.env.INBOX_TEST_LOG
  ? {
      debug() {},
      info() {},
      warn: (m, f) => console.warn(m, f),
      error: (m, f) => console.error(m, f),
    }
  : { debug() {}, info() {}, warn() {}, error() {} };

const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");
const date = (d = new Date()) => d.toUTCString().replace(/GMT$/, "+0000");

export function replyMessage(o: {
  from: string;
  to: string;
  messageId: string;
  inReplyTo?: string;
  subject?: string;
  body?: string;
}): Buffer {
  return Buffer.from(
    crlf(`From: ${o.from}
To: ${o.to}
Subject: ${o.subject ?? "Re: News for you"}
Date: ${date()}
Message-ID: <${o.messageId}>
${o.inReplyTo ? `In-Reply-To: <${o.inReplyTo}>\nReferences: <${o.inReplyTo}>\n` : ""}MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

${o.body ?? "Thanks, I would like to hear more about the widgets."}

On Mon, 30 Nov 2026 at 10:00, Example News <news@example.test> wrote:
> Article 1
> Body of article 1.
`),
  );
}

export function autoReplyMessage(o: { from: string; to: string; messageId: string }): Buffer {
  return Buffer.from(
    crlf(`From: ${o.from}
To: ${o.to}
Subject: Out of office: News for you
Date: ${date()}
Message-ID: <${o.messageId}>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

I am out of the office until Monday.
`),
  );
}

/** Postfix's own RFC 3464 DSN, as bounce(8) writes it */
export function dsnMessage(o: {
  to: string;
  recipient: string;
  status: string;
  diagnostic: string;
  originalMessageId?: string;
  messageId: string;
}): Buffer {
  const b = `B${o.messageId.replace(/\W/g, "")}`;
  return Buffer.from(
    crlf(`Return-Path: <>
From: MAILER-DAEMON@mx.example.test (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: ${o.to}
Auto-Submitted: auto-replied
Date: ${date()}
Message-ID: <${o.messageId}>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"

--${b}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<${o.recipient}>: host 127.0.0.1 said: ${o.diagnostic}

--${b}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.test
X-Postfix-Queue-ID: 4F2A1
Arrival-Date: ${date()}

Final-Recipient: rfc822; ${o.recipient}
Original-Recipient: rfc822;${o.recipient}
Action: failed
Status: ${o.status}
Diagnostic-Code: smtp; ${o.diagnostic}

${
  o.originalMessageId
    ? `--${b}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Example News <news@example.test>
To: ${o.recipient}
Subject: News for you
Message-ID: <${o.originalMessageId}>

`
    : ""
}--${b}--
`),
  );
}

export function arfMessage(o: {
  to: string;
  recipient: string;
  originalMessageId: string;
  messageId: string;
}): Buffer {
  const b = `A${o.messageId.replace(/\W/g, "")}`;
  return Buffer.from(
    crlf(`From: feedback@fbl.example.net
To: ${o.to}
Subject: Abuse report
Date: ${date()}
Message-ID: <${o.messageId}>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="${b}"

--${b}
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP 192.0.2.1.

--${b}
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Rcpt-To: ${o.recipient}

--${b}
Content-Type: text/rfc822-headers

From: Example News <news@example.test>
To: ${o.recipient}
Subject: News for you
Message-ID: <${o.originalMessageId}>

--${b}--
`),
  );
}

export function unsubscribeMessage(o: { from: string; to: string; messageId: string }): Buffer {
  return Buffer.from(
    crlf(`From: ${o.from}
To: ${o.to}
Subject: unsubscribe
Date: ${date()}
Message-ID: <${o.messageId}>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

unsubscribe
`),
  );
}

export function malformedMessages(): Buffer[] {
  return [
    // a multipart whose boundary never appears, with NUL bytes in the body
    Buffer.from(
      crlf(
        'From: x@example.net\nTo: news@example.test\nSubject: broken\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="nowhere"\n\n\0\0\0 garbage',
      ),
    ),
    // a 2 MB header line
    Buffer.concat([
      Buffer.from("From: y@example.net\r\nX-Huge: "),
      Buffer.alloc(2 * 1024 * 1024, "a"),
      Buffer.from("\r\nSubject: huge header\r\n\r\nbody\r\n"),
    ]),
  ];
}

export async function appendAll(
  imap: { host: string; port: number; user: string; password: string },
  folder: string,
  messages: Buffer[],
): Promise<void> {
  // Dovecot re-reads the passwd-file when it sees it changed, which can lag a
  // user added a moment ago: a fresh user's first login is retried briefly.
  let client: ImapFlow;
  for (let attempt = 1; ; attempt++) {
    client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: false,
      auth: { user: imap.user, pass: imap.password },
      logger: false,
    });
    try {
      await client.connect();
      break;
    } catch (error) {
      if (!(error as { authenticationFailed?: boolean }).authenticationFailed || attempt >= 20)
        throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    for (const m of messages) {
      await client.append(folder, m).catch((error: { responseText?: string; message: string }) => {
        throw new Error(`APPEND to ${folder} failed: ${error.responseText ?? error.message}`, {
          cause: error,
        });
      });
    }
  } finally {
    await client.logout();
  }
}

export async function flagsOf(
  imap: { host: string; port: number; user: string; password: string },
  folder: string,
): Promise<Map<number, Set<string>>> {
  const client = new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: false,
    auth: { user: imap.user, pass: imap.password },
    logger: false,
  });
  await client.connect();
  try {
    await client.mailboxOpen(folder);
    const out = new Map<number, Set<string>>();
    for (const m of await client.fetchAll("1:*", { uid: true, flags: true }, { uid: true }))
      out.set(m.uid, m.flags ?? new Set());
    return out;
  } finally {
    await client.logout();
  }
}

/** A watcher in this process, reading on threads as the worker does: stop() aborts it and waits until it has returned. */
export function runWatcher(
  deps: { db: Db; sql?: Sql; config: Config; log?: Logger },
  mailbox: string,
): { stop(): Promise<void>; done: Promise<void> } {
  const abort = new AbortController();
  const reader = createMessageReader({
    threads: deps.config.inbox.readThreads,
    ...readOptionsOf(deps.config),
  });
  const done = watchMailbox(
    {
      db: deps.db,
      sql: deps.sql,
      config: deps.config,
      clock: { now: () => new Date() },
      log: deps.log ?? quiet,
      signal: abort.signal,
      touch: async () => {},
      openSession: (m) => openImapInboxSession(m),
      read: (raw) => reader.read(raw),
      scan: (text) => scanSensitive(text),
    },
    mailbox,
  ).finally(() => reader.close());
  return {
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}

export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Puts messages straight into a Dovecot user's Maildir/new, as a delivery agent
 * does (Dovecot assigns UIDs at its next sync): thousands per second, where
 * one APPEND each would take minutes. Dovecot's own doveadm then syncs them.
 */
export async function seedMaildir(
  dovecot: { dir: string; doveadm(args: string[]): Promise<string> },
  user: string,
  /** an array, or a generator so that a large seed is never all in memory at once */
  messages: Iterable<Buffer>,
): Promise<void> {
  const { mkdir, readdir, rename, writeFile } = await import("node:fs/promises");
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const base = `${dovecot.dir}/mail/${user}`;
  for (const sub of ["cur", "new", "tmp"])
    await mkdir(`${base}/Maildir/${sub}`, { recursive: true });
  const stamp = Date.now();
  let n = 0;
  const pending: Promise<void>[] = [];
  // written into tmp/ and renamed into new/, as a delivery agent does, so that a
  // running Dovecot never sees half a message (seeding while a watcher reads)
  for (const m of messages) {
    pending.push(writeFile(`${base}/Maildir/tmp/${stamp}.M${n++}.seed`, m));
    if (pending.length >= 200) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await promisify(execFile)("chown", ["-R", "vmail:vmail", base]);
  for (const name of await readdir(`${base}/Maildir/tmp`))
    if (name.startsWith(`${stamp}.M`))
      await rename(`${base}/Maildir/tmp/${name}`, `${base}/Maildir/new/${name}`);
  await dovecot.doveadm(["mailbox", "status", "-u", user, "messages", "INBOX"]);
}
