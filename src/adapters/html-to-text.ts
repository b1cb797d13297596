import { convert } from "html-to-text";

/**
 * The text/plain alternative of an HTML email. Links stay visible as
 * "text [url]" because a plain-text reader has no other way to follow them
 * (and the unsubscribe link must be reachable there too); the hidden
 * preheader and images are left out. Lines wrap at 78 characters, the
 * length RFC 5322 section 2.1.1 recommends.
 */
export function htmlToPlainText(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: "img", format: "skip" },
      // mj-preview renders the preheader as a hidden div: inbox preview only.
      { selector: 'div[style*="display:none"]', format: "skip" },
      { selector: "a", options: { hideLinkHrefIfSameAsText: true } },
      { selector: "h1", options: { uppercase: false } },
      { selector: "h2", options: { uppercase: false } },
      { selector: "h3", options: { uppercase: false } },
      { selector: "table", format: "block" },
    ],
  })
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
