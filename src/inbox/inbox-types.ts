/**
 * The inbox's vocabulary, shared by the parser, the classifiers and the watcher.
 *
 * - parsed message: what the MIME parser (src/adapters/parse-mime.ts) makes of the raw
 *   bytes of one message: headers, text, html, attachments' metadata, and any
 *   message/delivery-status or message/feedback-report parts. Pure data, no streams.
 * - classification: what a message means (reply, auto-reply, bounce, complaint,
 *   mailed unsubscribe, other), decided by pure functions over a parsed message.
 * - bounce verdict per recipient: will mail to this address get through later?
 *   hard (the address or its domain is gone), soft (it may work later), policy (the
 *   rejection blames the sender's side: never suppress), unknown (nothing says).
 */

export type MessageKind =
  "reply" | "auto_reply" | "bounce" | "complaint" | "unsubscribe" | "other" | "unparseable";

export type BounceVerdict = "hard" | "soft" | "policy" | "unknown";

export interface AddressEntry {
  /** lower-cased, trimmed */
  address: string;
  name: string;
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  size: number;
}

/** One report part (message/delivery-status, message/feedback-report, ...) kept as text. */
export interface ReportPart {
  contentType: string;
  text: string;
}

export interface ParsedMessage {
  /** without angle brackets, or null */
  messageId: string | null;
  inReplyTo: string | null;
  /** without angle brackets, oldest first */
  references: string[];
  subject: string;
  date: Date | null;
  from: AddressEntry[];
  to: AddressEntry[];
  cc: AddressEntry[];
  /** Delivered-To, X-Original-To, Envelope-To: where the message was really addressed */
  deliveredTo: string[];
  /** lower-cased header name -> every value as raw text (unfolded) */
  headers: Map<string, string[]>;
  /** the top-level Content-Type, e.g. "multipart/report; report-type=delivery-status" */
  contentType: string;
  text: string | null;
  html: string | null;
  attachments: AttachmentInfo[];
  /**
   * delivery-status, feedback-report, and returned message/rfc822-headers parts (the
   * header block of a returned message/rfc822 part is given as "message/rfc822-headers")
   */
  reports: ReportPart[];
  /** the raw size in bytes */
  size: number;
  /** damage the parser recovered from (missing closing boundary, NUL bytes, ...) */
  defects?: string[];
}

export interface BounceRecipient {
  address: string;
  /** the enhanced status code ("5.1.1") or null */
  status: string | null;
  /** the RFC 3464 Action (failed, delayed, delivered, relayed, expanded) or null */
  action: string | null;
  verdict: BounceVerdict;
  /** the server's words (Diagnostic-Code or the matched sentence), trimmed to a line */
  diagnostic: string | null;
}

export type Classification =
  | {
      kind: "bounce";
      recipients: BounceRecipient[];
      /** Message-ID of the returned original, from its headers or Original-Message-ID */
      originalMessageId: string | null;
    }
  | {
      kind: "complaint";
      /** the complained-about recipient, when the report names it */
      address: string | null;
      originalMessageId: string | null;
      feedbackType: string | null;
    }
  | { kind: "auto_reply"; reason: string }
  | {
      kind: "unsubscribe";
      /** the token taken from unsubscribe+TOKEN@, unverified (the watcher verifies it) */
      token: string | null;
    }
  | {
      kind: "reply";
      /** the reply with quoted history and signature removed */
      text: string;
      /** what was cut */
      removed: string;
    }
  | { kind: "other"; reason: string }
  | { kind: "unparseable"; reason: string };
