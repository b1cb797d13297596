import { htmlToPlainText } from "../../adapters/html-to-text.ts";
import { protectPlaceholders } from "./placeholders.ts";

/**
 * The text/plain part of a frozen campaign, derived from its HTML with the
 * recipient placeholders kept. Converting to text decodes the entities that
 * kept content braces harmless in the HTML, so any `{{` that comes from
 * content is escaped again for Handlebars (`\{{` prints as `{{`). A content
 * backslash right before a brace pair or a placeholder would change how
 * Handlebars reads it, so a zero-width space is put after it.
 */
export function plainTextPart(html: string): string {
  const guarded = protectPlaceholders(html);
  const text = htmlToPlainText(guarded.text)
    .replace(/\\(?=\{\{|\uE000)/g, "\\\u200B")
    .replace(/\{\{/g, "\\{{");
  return guarded.restore(text);
}
