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
    const body = Buffer.concat([
      textHead,
      base64Lines(parts.text),
      htmlHead,
      base64Lines(parts.html),
      tail,
    ]);
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
    return Buffer.concat([Buffer.from(head, "utf8"), body]);
  };
}

/** base64 in 76-character lines, each ending CRLF */
function base64Lines(text: string): Buffer {
  const b64 = Buffer.from(Buffer.from(text, "utf8").toString("base64"), "latin1");
  const lines = Math.ceil(b64.length / 76);
  const out = Buffer.allocUnsafe(b64.length + lines * 2);
  let o = 0;
  for (let i = 0; i < b64.length; i += 76) {
    o += b64.copy(out, o, i, Math.min(i + 76, b64.length));
    out[o++] = 13;
    out[o++] = 10;
  }
  return out;
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
