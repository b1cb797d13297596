import { Marked, type Tokens } from "marked";

/**
 * Markdown (CommonMark + GFM, line breaks kept) to HTML for newsletter
 * content. A pure converter, but configured here so that nothing it emits can
 * be more than text and a few formatting tags:
 *
 * - raw HTML in the Markdown is shown as text, never passed through (an
 *   author's `<script>` or `<img onerror>` would otherwise reach the mail);
 * - links and images only with http(s) (links also mailto:) URLs; anything
 *   else (`javascript:`, `data:`) keeps its text and loses the link;
 * - braces and backslashes become entities: the result goes into a frozen
 *   campaign, which is a Handlebars template for the recipient stage, and
 *   content must not be able to add placeholders there (see escape-content.ts).
 */
const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag): string {
      const text = escapeText(token.text.trim());
      return "block" in token && token.block ? `<p>${text}</p>\n` : text;
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      const url = safeUrl(href, ["http:", "https:", "mailto:"]);
      if (!url) return inner;
      const t = title ? ` title="${escapeText(title)}"` : "";
      return `<a href="${escapeText(url)}"${t}>${inner}</a>`;
    },
    image({ href, title, text }: Tokens.Image): string {
      const url = safeUrl(href, ["http:", "https:"]);
      if (!url) return escapeText(text);
      const t = title ? ` title="${escapeText(title)}"` : "";
      return `<img src="${escapeText(url)}" alt="${escapeText(text)}"${t} style="max-width:100%;height:auto;" />`;
    },
  },
});

export function markdownToHtml(markdown: string): string {
  // The private-use sentinels of placeholders.ts must not come from content.
  const html = marked.parse(markdown.replace(/[\uE000\uE001]/g, ""), { async: false });
  return html.trim().replace(/[{}\\]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function safeUrl(href: string, protocols: string[]): string | null {
  try {
    const url = new URL(href);
    return protocols.includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function escapeText(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}
