import { MailParser, type AddressObject, type HeaderLines, type MessageText } from "mailparser";
import type { Readable } from "node:stream";
import { AppError } from "../errors.ts";
import type {
  AddressEntry,
  AttachmentInfo,
  ParsedMessage,
  ReportPart,
} from "../inbox/inbox-types.ts";

/**
 * Raw bytes of one message -> ParsedMessage, through mailparser with
 * `keepDeliveryStatus` (so RFC 3464 delivery-status parts stay separate instead of
 * merging into the text).
 *
 * Invariant: hostile input never crashes or stalls the caller. Every message either
 * parses or throws AppError("unparseable") with a reason that says what was wrong, and
 * the work is bounded:
 * - size: a message over `maxBytes` is refused before parsing; a header section over
 *   `maxHeaderBytes` too (Postfix itself truncates headers at 100 KB, header_size_limit);
 * - memory: mailparser's own streaming parser is used rather than simpleParser, because
 *   simpleParser buffers every attachment; here an attachment's bytes are counted and
 *   dropped (only name, type and size are kept), and only report parts are kept as text,
 *   each up to `maxReportBytes`;
 * - time: the parse is abandoned after `timeoutMs`.
 * Damage mailparser recovers from (a missing closing boundary, an unknown charset, NUL
 * bytes in a body) is listed in `defects` and the message is still classified.
 */

export interface ParseMimeOptions {
  /** refuse larger messages (default 50 MB) */
  maxBytes?: number;
  /** refuse header sections larger than this (default 1 MB) */
  maxHeaderBytes?: number;
  /** keep at most this much of each report part (default 1 MB) */
  maxReportBytes?: number;
  /** give up after this long (default 20 s) */
  timeoutMs?: number;
}

const defaults = {
  maxBytes: 50 * 1024 * 1024,
  maxHeaderBytes: 1024 * 1024,
  maxReportBytes: 1024 * 1024,
  timeoutMs: 20_000,
};

/** Parts whose text the classifiers read (RFC 3464, RFC 6533, RFC 5965, RFC 8098). */
const reportTypes = new Set([
  "message/delivery-status",
  "message/global-delivery-status",
  "message/feedback-report",
  "text/rfc822-headers",
  "message/rfc822-headers",
  "message/global-headers",
  "message/disposition-notification",
]);

function unparseable(reason: string): AppError {
  return new AppError("unparseable", reason, { reason });
}

export async function parseMime(
  raw: Buffer,
  options: ParseMimeOptions = {},
): Promise<ParsedMessage> {
  const limits = { ...defaults, ...options };
  if (raw.length === 0) throw unparseable("the message is empty");
  if (raw.length > limits.maxBytes)
    throw unparseable(`the message is ${raw.length} bytes; the limit is ${limits.maxBytes}`);

  const headerEnd = findHeaderEnd(raw, limits.maxHeaderBytes + 4);
  if (headerEnd < 0)
    throw unparseable(
      raw.length > limits.maxHeaderBytes
        ? `the header section is over ${limits.maxHeaderBytes} bytes (no blank line ends it within the limit)`
        : "no blank line ends the header section (truncated, or not a message)",
    );
  const head = raw.subarray(0, headerEnd);
  if (head.includes(0)) throw unparseable("the header section contains NUL bytes");
  if (!/^[!-9;-~]+[ \t]*:/.test(head.subarray(0, 1000).toString("latin1")))
    throw unparseable('the message does not start with a header field ("Name: value")');

  const defects: string[] = [];
  let body = raw;
  if (raw.indexOf(0, headerEnd) >= 0) {
    // RFC 5322 section 2.3 forbids NUL; mailparser would carry them into the text.
    defects.push("NUL bytes in the body (removed)");
    body = Buffer.from(raw.filter((byte) => byte !== 0));
  }

  const parsed = await runParser(body, limits);
  const headers = collectHeaders(parsed.headerLines);
  const contentType = first(headers, "content-type") ?? "text/plain";
  const boundary = /boundary\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
  if (/^multipart\//i.test(contentType) && boundary && !body.includes(`--${boundary}`, headerEnd))
    throw unparseable(
      `the message is ${contentType.split(";")[0]} with boundary "${boundary}", but no part uses that boundary`,
    );
  if (/^multipart\//i.test(contentType) && boundary && !body.includes(`--${boundary}--`))
    defects.push(`the closing MIME boundary "--${boundary}--" is missing (truncated?)`);
  if (parsed.textConversionError) defects.push(`HTML not converted: ${parsed.textConversionError}`);

  const returned = parsed.reports.some((part) => part.contentType === "message/rfc822-headers");
  const reports = returned
    ? parsed.reports
    : [...parsed.reports, ...findReturnedHeaders(body, headerEnd, limits.maxReportBytes)];
  return {
    messageId: bareId(first(headers, "message-id")),
    inReplyTo: bareId(first(headers, "in-reply-to")),
    references: (headers.get("references") ?? [])
      .join(" ")
      .split(/\s+/)
      .map((id) => bareId(id))
      .filter((id): id is string => id !== null),
    subject: parsed.subject,
    date: parsed.date,
    from: parsed.from,
    to: parsed.to,
    cc: parsed.cc,
    deliveredTo: ["delivered-to", "x-original-to", "envelope-to"].flatMap((name) =>
      (headers.get(name) ?? []).flatMap((value) => addressesIn(value)),
    ),
    headers,
    contentType,
    text: parsed.text,
    html: parsed.html,
    attachments: parsed.attachments,
    reports,
    size: raw.length,
    defects,
  };
}

interface ParserResult {
  headerLines: HeaderLines;
  subject: string;
  date: Date | null;
  from: AddressEntry[];
  to: AddressEntry[];
  cc: AddressEntry[];
  text: string | null;
  html: string | null;
  textConversionError: string | null;
  attachments: AttachmentInfo[];
  reports: ReportPart[];
}

interface AttachmentData {
  type: "attachment";
  content: Readable;
  contentType: string;
  filename?: string;
  release: (() => void) | null;
}

function runParser(raw: Buffer, limits: typeof defaults): Promise<ParserResult> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({
      keepDeliveryStatus: true,
      // HTML-only mail keeps text null; the inbox converts with its own html-to-text
      // settings (src/inbox/message-text.ts), the same as for outgoing mail.
      skipHtmlToText: true,
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      checksumAlgo: false as unknown as string,
      // html-to-text on megabytes of markup costs seconds; mailparser then reports
      // textConversionError and keeps the HTML, which we turn into a defect.
      maxHtmlLengthToParse: 2 * 1024 * 1024,
    });
    const result: ParserResult = {
      headerLines: [],
      subject: "",
      date: null,
      from: [],
      to: [],
      cc: [],
      text: null,
      html: null,
      textConversionError: null,
      attachments: [],
      reports: [],
    };
    let settled = false;
    const timer = setTimeout(() => {
      finish(unparseable(`parsing took longer than ${limits.timeoutMs} ms`));
      parser.destroy();
    }, limits.timeoutMs);
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result);
    };

    parser.on("headers", (headers: Map<string, unknown>) => {
      result.subject =
        typeof headers.get("subject") === "string" ? String(headers.get("subject")) : "";
      const date = headers.get("date");
      result.date = date instanceof Date && !Number.isNaN(date.getTime()) ? date : null;
      result.from = addressEntries(headers.get("from"));
      result.to = addressEntries(headers.get("to"));
      result.cc = addressEntries(headers.get("cc"));
    });
    parser.on("headerLines", (lines: HeaderLines) => {
      result.headerLines = lines;
    });
    parser.on("data", (data: MessageText | AttachmentData) => {
      if (data.type === "text") {
        result.text = typeof data.text === "string" ? data.text : null;
        result.html = typeof data.html === "string" ? data.html : null;
        const conversion = (data as { textConversionError?: Error }).textConversionError;
        if (conversion) result.textConversionError = conversion.message;
        return;
      }
      readAttachment(data, limits.maxReportBytes, result);
    });
    parser.on("error", (error: Error) =>
      finish(unparseable(`MIME parser failed: ${error.message}`)),
    );
    parser.on("end", () => finish(null));

    // Feed in chunks so a timeout can fire between them on a huge message.
    let offset = 0;
    const chunk = 256 * 1024;
    const write = (): void => {
      while (offset < raw.length && !settled) {
        const piece = raw.subarray(offset, offset + chunk);
        offset += chunk;
        if (!parser.write(piece)) {
          parser.once("drain", write);
          return;
        }
      }
      if (!settled) parser.end();
    };
    write();
  });
}

function readAttachment(data: AttachmentData, maxReportBytes: number, result: ParserResult): void {
  const contentType = data.contentType.toLowerCase();
  const isReport = reportTypes.has(contentType);
  // A returned message (RFC 3464 section 2, third part): its headers name the original.
  const isMessage = contentType === "message/rfc822" || contentType === "message/global";
  const keepBytes = isReport
    ? maxReportBytes
    : isMessage
      ? Math.min(maxReportBytes, 256 * 1024)
      : 0;
  const chunks: Buffer[] = [];
  let size = 0;
  let kept = 0;
  data.content.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (kept < keepBytes) {
      const piece = chunk.subarray(0, keepBytes - kept);
      chunks.push(piece);
      kept += piece.length;
    }
  });
  data.content.on("end", () => {
    const text = Buffer.concat(chunks).toString("utf8");
    if (isReport) result.reports.push({ contentType, text });
    else result.attachments.push({ filename: data.filename ?? null, contentType, size });
    if (isMessage) {
      const block = headerBlock(text);
      if (block) result.reports.push({ contentType: "message/rfc822-headers", text: block });
    }
    data.release?.();
  });
}

function headerBlock(text: string): string | null {
  const end = text.search(/\r?\n\r?\n/);
  const block = end >= 0 ? text.slice(0, end) : text;
  return /^[!-9;-~]+:/.test(block) ? block : null;
}

/** Offset of the blank line that ends the header section, or -1 within `limit` bytes. */
function findHeaderEnd(raw: Buffer, limit: number): number {
  const window = raw.subarray(0, Math.min(raw.length, limit));
  const crlf = window.indexOf("\r\n\r\n");
  const lf = window.indexOf("\n\n");
  const candidates = [crlf, lf].filter((i) => i >= 0);
  if (candidates.length === 0) {
    // A message that is only headers (no body) is legal: the header section ends the input.
    return raw.length <= limit ? raw.length : -1;
  }
  return Math.min(...candidates);
}

/**
 * mailparser parses a returned message/rfc822 part into its tree without handing its
 * headers back, so the returned headers (where the original Message-ID lives) are cut
 * out of the raw bytes: the header block after a part header naming message/rfc822.
 */
function findReturnedHeaders(raw: Buffer, headerEnd: number, maxBytes: number): ReportPart[] {
  const text = raw.subarray(headerEnd, headerEnd + 8 * 1024 * 1024).toString("utf8");
  const found: ReportPart[] = [];
  const partHeader = /^content-type:[ \t]*message\/(?:rfc822|global)\b[^]*?\r?\n\r?\n/gim;
  let match: RegExpExecArray | null;
  while ((match = partHeader.exec(text)) !== null && found.length < 5) {
    const start = match.index + match[0].length;
    const rest = text.slice(start, start + maxBytes);
    const end = rest.search(/\r?\n\r?\n/);
    const block = headerBlock(end >= 0 ? rest.slice(0, end) : rest);
    if (block) found.push({ contentType: "message/rfc822-headers", text: block });
  }
  return found;
}

function collectHeaders(lines: HeaderLines): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (const { key, line } of lines) {
    const name = key.toLowerCase();
    const colon = line.indexOf(":");
    const value = line
      .slice(colon + 1)
      .replace(/\r?\n[ \t]+/g, " ")
      .trim();
    const list = headers.get(name);
    if (list) list.push(value);
    else headers.set(name, [value]);
  }
  return headers;
}

function first(headers: Map<string, string[]>, name: string): string | null {
  return headers.get(name)?.[0] ?? null;
}

function bareId(value: string | null | undefined): string | null {
  if (!value) return null;
  const inBrackets = /<([^<>\s]+)>/.exec(value)?.[1];
  const id = (inBrackets ?? value.trim()).replace(/^<|>$/g, "");
  return id.length > 0 && id.length <= 998 ? id : null;
}

function addressEntries(value: unknown): AddressEntry[] {
  const objects = (Array.isArray(value) ? value : [value]) as Array<AddressObject | undefined>;
  const entries: AddressEntry[] = [];
  const walk = (list: AddressObject["value"]): void => {
    for (const item of list) {
      if (item.group) walk(item.group);
      else if (item.address)
        entries.push({ address: item.address.trim().toLowerCase(), name: item.name ?? "" });
    }
  };
  for (const object of objects) if (object && Array.isArray(object.value)) walk(object.value);
  return entries;
}

function addressesIn(value: string): string[] {
  return [...value.matchAll(/[^\s<>,;"']+@[^\s<>,;"']+/g)].map((m) => m[0].toLowerCase());
}
