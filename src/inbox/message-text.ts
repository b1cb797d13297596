import { htmlToPlainText } from "../adapters/html-to-text.ts";
import type { ParsedMessage } from "./inbox-types.ts";

/**
 * The readable text of a message: its text/plain part, or for HTML-only mail the HTML
 * converted by the same html-to-text settings as outgoing mail (the parser leaves
 * `text` null for those). Blank-line runs are collapsed, since converted HTML (divs,
 * breaks) leaves many.
 */
export function messageText(message: Pick<ParsedMessage, "text" | "html">): string {
  if (message.text !== null && message.text.trim() !== "") return message.text;
  if (!message.html) return "";
  return htmlToPlainText(message.html).replace(/(\n[ \t]*){3,}/g, "\n\n");
}
