/**
 * Builds one recipient's RFC 5322 message from personalised parts, with the
 * per-campaign pieces (boundary, part headers, From) prepared once. Both
 * parts are base64 (RFC 2045 §6.8), which node encodes natively and which is
 * already in DKIM's relaxed body form, so signing hashes the body as built.
 */
import type { DkimSigner } from "../types.ts";

export interface MessageParts {
  to: string;
  toName: string | null;
  subject: string;
  html: string;
  text: string;
  /** without angle brackets */
  messageId: string;
  date: Date;
  /** extra header fields, e.g. List-Unsubscribe; signed when DKIM is on */
  headers: ReadonlyArray<readonly [string, string]>;
}

export function createMessageBuilder(opts: {
  from: string;
  boundary: string;
  dkim?: DkimSigner | undefined;
}): (parts: MessageParts) => Promise<Buffer> {
  const from = formatMailbox(opts.from);
  const b = opts.boundary;
  const textHead = Buffer.from(
    `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
    "latin1",
  );
  const htmlHead = Buffer.from(
    `--${b}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
    "latin1",
  );
  const tail = Buffer.from(`--${b}--\r\n`, "latin1");
  const contentType = `multipart/alternative; boundary="${b}"`;
  return async (parts) => {
    // The whole message goes into one buffer: the body is written after room
    // for the header, which is known only once the body is signed.
    const textLength = base64LinesLength(Buffer.byteLength(parts.text, "utf8"));
    const htmlLength = base64LinesLength(Buffer.byteLength(parts.html, "utf8"));
    const bodyLength = textHead.length + textLength + htmlHead.length + htmlLength + tail.length;
    const out = Buffer.allocUnsafe(headRoom + bodyLength);
    let o = headRoom + textHead.copy(out, headRoom);
    o = writeBase64Lines(out, o, textLength, parts.text);
    o += htmlHead.copy(out, o);
    o = writeBase64Lines(out, o, htmlLength, parts.html);
    tail.copy(out, o);
    const body = out.subarray(headRoom);
    const fields: Array<readonly [string, string]> = [
      ["From", from],
      ["To", parts.toName ? `${formatPhrase(parts.toName)} <${parts.to}>` : parts.to],
      ["Subject", encodeHeaderText(parts.subject)],
      ["Date", rfc5322Date(parts.date)],
      ["Message-ID", `<${parts.messageId}>`],
      ["MIME-Version", "1.0"],
      ["Content-Type", contentType],
      ...parts.headers,
    ];
    let head = opts.dkim
      ? await (opts.dkim.signAsync
          ? opts.dkim.signAsync(fields, body)
          : opts.dkim.sign(fields, body))
      : "";
    for (const [name, value] of fields) head += `${name}: ${value}\r\n`;
    head += "\r\n";
    const headLength = Buffer.byteLength(head, "utf8");
    if (headLength > headRoom) return Buffer.concat([Buffer.from(head, "utf8"), body]);
    out.write(head, headRoom - headLength, "utf8");
    return out.subarray(headRoom - headLength);
  };
}

/**
 * Bytes kept before the body for the header: ours is about 1.3 KB with the
 * DKIM signature; a longer one (long names, many extra fields) is copied in front.
 */
const headRoom = 4096;

/** the length of base64 in 76-character lines, each ending CRLF, for `bytes` bytes */
function base64LinesLength(bytes: number): number {
  const chars = Math.ceil(bytes / 3) * 4;
  return chars + Math.ceil(chars / 76) * 2;
}

/** UTF-8 of the part being encoded; grown as needed, reused (encoding is synchronous) */
let scratch = Buffer.allocUnsafe(256 * 1024);

/**
 * Writes `text` as base64 in 76-character lines (RFC 2045 §6.8) into
 * out[at, at + length) and returns the end. The base64 is written natively
 * into the end of that range, then each line is moved to its place in front
 * of it: a line never overtakes the unread ones, as each moves forward by
 * twice the number of lines after it.
 */
function writeBase64Lines(out: Buffer, at: number, length: number, text: string): number {
  if (scratch.length < text.length * 3) scratch = Buffer.allocUnsafe(text.length * 3);
  const bytes = scratch.write(text, 0, "utf8");
  const b64 = scratch.toString("base64", 0, bytes);
  const from = at + length - b64.length;
  out.write(b64, from, "latin1");
  let o = at;
  for (let i = 0; i < b64.length; i += 76) {
    const end = Math.min(i + 76, b64.length);
    out.copyWithin(o, from + i, from + end);
    o += end - i;
    out[o++] = 13;
    out[o++] = 10;
  }
  return o;
}

/** "Wed, 25 Nov 2026 16:07:35 +0000" (RFC 5322 §3.3) */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

const printable = /^[\x20-\x7e]*$/;

/** Unstructured text (Subject): as is when printable ASCII, else RFC 2047 encoded-words of at most 75 characters. */
export function encodeHeaderText(text: string): string {
  const clean = text.replace(/[\r\n]+/g, " ");
  if (printable.test(clean) && clean.length <= 900) return clean;
  return encodedWords(clean);
}

function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = "";
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, "utf8");
    // 45 bytes → 60 base64 characters, plus the 12 of =?UTF-8?B?...?= : within 75.
    if (bytes + n > 45) {
      words.push(chunk);
      chunk = "";
      bytes = 0;
    }
    chunk += ch;
    bytes += n;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, "utf8").toString("base64")}?=`).join("\r\n ");
}

/**
 * A display name: a quoted-string when short printable ASCII (RFC 5322
 * §3.2.4), otherwise encoded-words folded onto lines of their own, so no
 * header line passes RFC 5322's 998 characters however long the name.
 */
export function formatPhrase(name: string): string {
  const clean = name.replace(/[\r\n]+/g, " ").trim();
  if (printable.test(clean) && clean.length <= 60) return `"${clean.replace(/(["\\])/g, "\\$1")}"`;
  return encodedWords(clean);
}

/** "News <news@example.com>" with the display name made header-safe */
export function formatMailbox(from: string): string {
  const match = /^\s*"?(.*?)"?\s*<([^>]+)>\s*$/.exec(from);
  if (!match) return from.trim();
  return match[1] ? `${formatPhrase(match[1])} <${match[2]}>` : `<${match[2]}>`;
}
