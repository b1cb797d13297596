import { markdownToHtml } from "../../adapters/markdown.ts";
import { AppError } from "../../errors.ts";
import { sentinelChars } from "./placeholders.ts";

const htmlEntities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
  "=": "&#61;",
  // Braces and backslashes too: the frozen HTML is itself a Handlebars
  // template for the recipient stage, and content must not be able to add
  // placeholders to it (or escape the ones the template has).
  "{": "&#123;",
  "}": "&#125;",
  "\\": "&#92;",
};

/** HTML-escapes a campaign value so it can be placed in text or a quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(sentinelChars, "").replace(/[&<>"'`={}\\]/g, (c) => htmlEntities[c]!);
}

/** Escaped text with its line breaks kept: blank lines start a paragraph. */
export function escapeMultiline(value: string): string {
  return escapeHtml(value.trim())
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    .map((para) => para.replace(/\n/g, "<br />"))
    .join("<br /><br />");
}

const urlKey = /(^url$|Url$|URL$|^href$)/;

/**
 * Escapes every string in the campaign content, once, at freeze time. Keys
 * named `url`, `imageUrl` and the like must hold an http(s) URL: anything else
 * (a `javascript:` link, say) is refused, not escaped into a dead link.
 * Strings under `markdownKeys` are Markdown, rendered to safe HTML instead.
 */
export function escapeContent(
  value: unknown,
  at = "content",
  markdownKeys: readonly string[] = [],
): unknown {
  if (typeof value === "string") return escapeMultiline(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (Array.isArray(value))
    return value.map((v, i) => escapeContent(v, `${at}[${i}]`, markdownKeys));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (urlKey.test(key) && v !== undefined && v !== null && v !== "") {
        out[key] = escapeHtml(checkUrl(v, `${at}.${key}`));
      } else if (typeof v === "string" && markdownKeys.includes(key)) {
        out[key] = markdownToHtml(v);
      } else if (v !== undefined) {
        out[key] = escapeContent(v, `${at}.${key}`, markdownKeys);
      }
    }
    return out;
  }
  throw new AppError(
    "invalid_input",
    `${at} is ${typeof value}; expected text, a number, a list or an object`,
  );
}

function checkUrl(value: unknown, at: string): string {
  if (typeof value === "string") {
    try {
      const url = new URL(value);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href;
    } catch {
      // fall through to the error below
    }
  }
  throw new AppError(
    "invalid_input",
    `${at} is ${JSON.stringify(value)}; expected an http(s) URL such as https://example.com/article`,
  );
}
