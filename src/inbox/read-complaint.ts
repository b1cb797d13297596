import { findOriginalMessageId } from "./find-original-message-id.ts";
import type { Classification, ParsedMessage } from "./inbox-types.ts";
import { parseDeliveryStatus } from "./parse-delivery-status.ts";

/**
 * An ARF feedback report (RFC 5965: multipart/report; report-type=feedback-report,
 * with a message/feedback-report part) -> a complaint, or null. The complained-about
 * recipient is `Original-Rcpt-To` (RFC 5965 section 3.2), or `Removal-Recipient`
 * (RFC 6650's older field), or the To of the returned headers when it names one
 * address; providers often redact all of them, and then the Message-ID (or a VERP
 * token) has to find the delivery.
 */
export function readComplaint(
  message: ParsedMessage,
): Extract<Classification, { kind: "complaint" }> | null {
  const isArf = /report-type\s*=\s*"?feedback-report/i.test(message.contentType);
  const report = message.reports.find((part) => part.contentType === "message/feedback-report");
  if (!isArf && !report) return null;
  const fields = report ? parseDeliveryStatus(report.text).message : new Map<string, string>();
  const address =
    addressIn(fields.get("original-rcpt-to")) ??
    addressIn(fields.get("removal-recipient")) ??
    returnedTo(message);
  return {
    kind: "complaint",
    address,
    originalMessageId: findOriginalMessageId(message),
    feedbackType: fields.get("feedback-type")?.toLowerCase().trim() ?? null,
  };
}

function addressIn(value: string | undefined): string | null {
  const match = /([^\s<>;:,]+@[^\s<>;:,]+)/.exec(value ?? "");
  return match ? match[1]!.toLowerCase() : null;
}

function returnedTo(message: ParsedMessage): string | null {
  for (const part of message.reports) {
    if (!/rfc822-headers|global-headers/.test(part.contentType)) continue;
    const to = /^to:[ \t]*(.*(?:\r?\n[ \t]+.*)*)/im.exec(part.text)?.[1] ?? "";
    const addresses = to.match(/[^\s<>;:,"]+@[^\s<>;:,"]+/g) ?? [];
    if (addresses.length === 1) return addresses[0]!.toLowerCase();
  }
  return null;
}
