/**
 * mailsteward's vocabulary, and the narrow ports the domain is handed.
 *
 * - contact: a person the company holds data about (name, email, phone, company, ...).
 * - list: a newsletter a contact can subscribe to, named by a short slug ("news").
 * - subscriber: a contact with a subscription in state `subscribed` to a list.
 * - subscription: pending (asked, not confirmed), subscribed, or unsubscribed, with dates.
 * - consent: an append-only ledger event: a purpose granted or withdrawn, on a legal
 *   basis (consent, legitimate interest, contract), with its evidence.
 * - suppression: an address that must never be mailed, stored as a keyed hash so
 *   that it outlives the person's erasure.
 * - campaign: one newsletter sent to the subscribers of one or more lists.
 * - delivery: one (campaign, contact) row of the delivery ledger; at most one message.
 * - dialogue: what is kept of an email exchange with a contact (a reply, say).
 * - bounce: a delivery failure report; hard (the mailbox is gone: suppress) or soft (retry).
 * - mailbox: an employee's IMAP mailbox.
 * - handover: copying a departing employee's relevant mail to a successor.
 * - cleanup: the yearly review and deletion of unneeded mailbox content.
 */
import type { PrismaClient } from "./generated/prisma/client.ts";

export type Db = PrismaClient;

/**
 * Plain SQL on the same database as `Db`, for the few statements a campaign
 * sends per message or per batch at full rate (the delivery ledger, the
 * audience page). Prisma compiles every query, raw ones too, in its
 * WebAssembly query compiler: the ledger's UPDATE cost the sender 1.9 ms of
 * CPU per statement through Prisma and 0.4 ms on the pg driver (a busy
 * 2-core machine). Values are always bound ($1, $2, ...), never spliced
 * into the text.
 */
export interface Sql {
  query<R>(text: string, values: readonly unknown[]): Promise<R[]>;
  /**
   * `work` in one transaction on one connection (READ COMMITTED): committed when it
   * returns, rolled back when it throws. Inside one already, it just runs `work`.
   */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type LogFields = Record<string, unknown>;

/** Operators read this: ids and counts, never addresses, names or secrets. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A message ready to hand to a transport: already rendered and personalised. */
export interface OutgoingMessage {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** without angle brackets */
  messageId: string;
  headers?: Record<string, string>;
}

/** What the receiving server answered. */
export interface SendResult {
  /** the full SMTP reply text, e.g. "250 2.0.0 Ok: queued as 4F2" */
  response: string;
}

/** SMTP envelope (RFC 5321 MAIL FROM / RCPT TO), which need not match the headers. */
export interface Envelope {
  from: string;
  to: string;
}

/**
 * Signs a message with DKIM (RFC 6376). `headers` are the fields to sign, in
 * the order they appear; `body` is the message body exactly as it will be
 * sent. Returns the complete `DKIM-Signature: ...` field, CRLF-terminated.
 */
export interface DkimSigner {
  readonly domain: string;
  readonly selector: string;
  sign(headers: ReadonlyArray<readonly [name: string, value: string]>, body: Buffer): string;
  /** the same, with the private-key operation on a worker thread so the sender's thread keeps sending */
  signAsync?(
    headers: ReadonlyArray<readonly [name: string, value: string]>,
    body: Buffer,
  ): Promise<string>;
  close?(): Promise<void>;
}

export interface Mailer {
  /** Resolves when the server accepted the message; rejects with a SendError otherwise. */
  send(message: OutgoingMessage): Promise<SendResult>;
  /**
   * Sends a complete RFC 5322 message as is (the campaign sender builds and
   * signs its own MIME, once per campaign, personalised by substitution).
   */
  sendRaw?(envelope: Envelope, raw: Buffer): Promise<SendResult>;
  /** the DKIM signer built from DKIM_* config, for senders that build raw messages */
  readonly dkim?: DkimSigner | undefined;
  /** connections the transport keeps open; senders keep at most this many messages in flight */
  readonly poolSize?: number;
  close(): Promise<void>;
}

/** A transport refusal with the server's reply, for retry and suppression decisions. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly smtpCode: number | undefined,
    readonly response: string,
    readonly kind: "transient" | "permanent" | "connection",
    /**
     * For "connection" errors: whether every byte of the message, and so the
     * final dot of DATA, may have reached the server before the connection
     * failed. The server may then have accepted it without our hearing the
     * answer: re-sending could deliver it twice.
     */
    readonly maybeDelivered: boolean = false,
  ) {
    super(message);
    this.name = "SendError";
  }
}
