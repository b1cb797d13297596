import { detectAutoReply } from "./detect-auto-reply.ts";
import { findOriginalMessageId } from "./find-original-message-id.ts";
import { findPlusToken } from "./find-plus-token.ts";
import type { Classification, ParsedMessage } from "./inbox-types.ts";
import { messageText } from "./message-text.ts";
import { readBounce } from "./read-bounce.ts";
import { readComplaint } from "./read-complaint.ts";
import { trimReply } from "./trim-reply.ts";

/**
 * What one parsed message means. Pure: no database, no clock, no network.
 *
 * The order is the order of trust, and each step only runs when the ones before it
 * found nothing:
 * 1. complaint: an ARF feedback report (RFC 5965). Before bounces, because a report
 *    is a multipart/report too and must never be read as a delivery failure.
 * 2. bounce: an RFC 3464 delivery-status report, or the notice text of an MTA that
 *    sends none (see read-bounce.ts).
 * 3. mailed unsubscribe: addressed to `unsubscribe+TOKEN@` or the bare unsubscribe
 *    address (the token is returned unverified; From is never trusted for it).
 * 4. other, for notices about our message: read receipts (RFC 8098) and delivery
 *    success reports, which often carry Auto-Submitted but are nobody's absence.
 * 5. auto-reply: RFC 3834 and the de-facto markers (detect-auto-reply.ts).
 * 6. other: mail that no person wrote to us: mailing-list and newsletter traffic,
 *    daemons and no-reply senders, no From at all.
 * 7. reply: the rest, from a person, with quoted history and signature trimmed.
 */

export interface ClassifyOptions {
  /** the bare unsubscribe addresses (`unsubscribe@example.org`), lower-case */
  unsubscribeAddresses: string[];
  /** our own addresses (bounce, reply-to, team mailboxes): never a failed recipient */
  ownAddresses?: string[];
}

export function classifyMessage(message: ParsedMessage, options: ClassifyOptions): Classification {
  const complaint = readComplaint(message);
  if (complaint) return complaint;

  const bounce = readBounce(message, options.ownAddresses ?? []);
  if (bounce) return bounce;

  const unsubscribe = findPlusToken(message, options.unsubscribeAddresses);
  if (unsubscribe) return { kind: "unsubscribe", token: unsubscribe.token };

  // Reports (read receipts, success notices) often say Auto-Submitted too; they are
  // notices about our message, not a person's absence, so "other" comes first for them.
  const report = reportNotice(message);
  if (report) return { kind: "other", reason: report };

  const autoReply = detectAutoReply(message);
  if (autoReply) return { kind: "auto_reply", reason: autoReply };

  const other = notFromAPerson(message);
  if (other) return { kind: "other", reason: other };

  const { text, removed } = trimReply(messageText(message), null);
  return { kind: "reply", text, removed };
}

/** Re-exported for the watcher, which also needs it for complaints and replies. */
export { findOriginalMessageId };

const machineLocal =
  /^(mailer-daemon|mailerdaemon|mail-daemon|postmaster|no-?reply|do-?not-?reply|donotreply|bounce[s]?|notifications?|daemon)([+.-].*)?$/i;

function reportNotice(message: ParsedMessage): string | null {
  const reportType = /report-type\s*=\s*"?([\w-]+)/i.exec(message.contentType)?.[1]?.toLowerCase();
  if (
    reportType === "disposition-notification" ||
    message.reports.some((part) => part.contentType === "message/disposition-notification")
  )
    return "read receipt (RFC 8098 disposition notification)";
  if (
    reportType === "delivery-status" ||
    message.reports.some((p) => p.contentType.endsWith("delivery-status"))
  )
    return "delivery notification without a failed recipient";
  return null;
}

function notFromAPerson(message: ParsedMessage): string | null {
  const from = message.from[0]?.address;
  if (!from) return "no From address";
  const local = from.slice(0, from.lastIndexOf("@"));
  if (machineLocal.test(local)) return "sent from a daemon or no-reply address";
  if (message.headers.has("list-id") && !message.inReplyTo)
    return "mailing-list traffic (List-Id, RFC 2919)";
  if (
    message.headers.has("list-unsubscribe") &&
    !message.inReplyTo &&
    message.references.length === 0
  )
    return "a newsletter or bulk mailing (List-Unsubscribe, RFC 2369)";
  return null;
}
