import { htmlToPlainText } from "../adapters/html-to-text.ts";
import type { ParsedMessage } from "./inbox-types.ts";

/**
 * The readable text of a message: its text/plain part, or for HTML-only mail the HTML
 * converted by the same html-to-text settings as outgoing mail (the parser leaves
 * `text` null for those). Blank-line runs are collapsed, since converted HTML (divs,
 * breaks) leaves many.
 *
 * The conversion is the costly step of classifying (milliseconds per message, against
 * microseconds for the rest), so it is done once per message object, and HTML over
 * `maxHtmlChars` (hostile or machine-made) gets a plain tag strip instead.
 */
const maxHtmlChars = 512 * 1024;
const converted = new WeakMap<object, string>();

export function messageText(message: Pick<ParsedMessage, "text" | "html">): string {
  if (message.text !== null && message.text.trim() !== "") return message.text;
  if (!message.html) return "";
  const cached = converted.get(message);
  if (cached !== undefined) return cached;
  const text = (
    message.html.length > maxHtmlChars ? stripTags(message.html) : htmlToPlainText(message.html)
  ).replace(/(\n[ \t]*){3,}/g, "\n\n");
  converted.set(message, text);
  return text;
}

function stripTags(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[^]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d|blockquote)>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
