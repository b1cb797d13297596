import type { ParsedMessage } from "./inbox-types.ts";
import { messageText } from "./message-text.ts";
import { parseDeliveryStatus } from "./parse-delivery-status.ts";

/**
 * The Message-ID of the message a bounce or complaint is about, which finds the
 * delivery (and so the campaign and contact) in the ledger. In order of trust:
 * 1. `Original-Message-ID` in a delivery-status (RFC 3464 section 2.2 allows it as an
 *    extension; Exchange and others send it) or feedback report (RFC 5965 section 3.2);
 * 2. `Message-ID` in the returned headers (text/rfc822-headers or message/rfc822 part);
 * 3. a `Message-ID:` line in the notice text after the message's own headers, where
 *    qmail, Exim and Yahoo paste the returned message inline.
 * Returns the id without angle brackets, or null.
 */
export function findOriginalMessageId(message: ParsedMessage): string | null {
  for (const part of message.reports) {
    if (!/delivery-status|feedback-report/.test(part.contentType)) continue;
    const fields = parseDeliveryStatus(part.text).message;
    // Gmail writes X-Original-Message-ID.
    const id = fields.get("original-message-id") ?? fields.get("x-original-message-id");
    if (id) return bare(id);
  }
  for (const part of message.reports) {
    if (!/rfc822-headers|global-headers/.test(part.contentType)) continue;
    const id = messageIdLine(part.text);
    if (id) return id;
  }
  const text = messageText(message);
  for (const match of text.matchAll(/^[ \t]*message-id:[ \t]*(\S.*)$/gim)) {
    const id = bare(match[1]!);
    if (id && id !== message.messageId) return id;
  }
  return null;
}

function messageIdLine(headers: string): string | null {
  const match = /^message-id:[ \t]*(.*(?:\r?\n[ \t]+.*)*)/im.exec(headers);
  return match ? bare(match[1]!) : null;
}

function bare(value: string): string | null {
  const id = (/<([^<>\s]+)>/.exec(value)?.[1] ?? value.trim()).trim();
  return id.length > 0 && !/\s/.test(id) ? id : null;
}
