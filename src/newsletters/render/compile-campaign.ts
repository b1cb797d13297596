import fs from "node:fs/promises";
import path from "node:path";
import { AppError, unknownName } from "../../errors.ts";
import { assembleTemplate, display } from "./assemble-template.ts";
import { compileTemplate } from "./compile-template.ts";
import { checkContent } from "./content-schemas.ts";
import { escapeContent, escapeHtml, escapeMultiline } from "./escape-content.ts";
import { checkPlaceholders } from "./placeholders.ts";
import { plainTextPart } from "./plain-text-part.ts";
import { textTree, type Locale } from "../../i18n/translate.ts";

/** A campaign rendered once: everything but the per-recipient placeholders is filled in. */
export interface FrozenCampaign {
  subject: string;
  html: string;
  text: string;
}

export interface CompileCampaignInput {
  templatesDir: string;
  /** file name in templates/newsletters/ without ".mjml" */
  template: string;
  subject: string;
  preheader?: string | null;
  content: unknown;
  postalAddress: string;
  fromName?: string;
  /** the newsletter's language: html lang and the footer's texts (locales/<language>.json "footer") */
  language?: Locale;
}

/**
 * Freezes a campaign: campaign content is escaped and expanded into the
 * template once, the MJML is compiled once, and the text part is derived
 * from the HTML. The result still carries `{{name}}`, `{{unsubscribeUrl}}` and
 * the other recipient placeholders, for createPersonaliser.
 */
export async function compileCampaign(input: CompileCampaignInput): Promise<FrozenCampaign> {
  checkHeaderValue("subject", input.subject);
  if (input.preheader) checkHeaderValue("preheader", input.preheader);
  if (input.subject.trim() === "")
    throw new AppError("invalid_input", "subject is empty; expected a line of text");
  if (input.postalAddress.trim() === "") {
    // CAN-SPAM (15 U.S.C. 7704(a)(5)) and most national rules require it in every commercial email.
    throw new AppError(
      "invalid_input",
      "postal address is empty; set POSTAL_ADDRESS to the sender's physical postal address",
    );
  }
  checkPlaceholders(input.subject, "subject");

  const file = await resolveNewsletterTemplate(input.templatesDir, input.template);
  const content = checkContent(input.template, input.content);
  const assembled = await assembleTemplate(input.templatesDir, file);
  const values = {
    ...(escapeContent(content, "content", markdownKeysOf(content)) as Record<string, unknown>),
    subject: escapeHtml(input.subject),
    preheader: input.preheader ? escapeHtml(input.preheader) : "",
    postalAddress: escapeMultiline(input.postalAddress),
    fromName: escapeHtml(input.fromName ?? ""),
    lang: input.language ?? "en",
    t: footerTexts(input.language ?? "en"),
  };
  const html = await compileTemplate(assembled, values);
  checkPlaceholders(html, display(file));
  return { subject: input.subject.trim(), html, text: plainTextPart(html) };
}

/**
 * `"format": "markdown"` in the content (what the console writes) makes the
 * long-text blocks, `intro` and each `body`, Markdown; titles, links and
 * other strings stay plain text either way.
 */
function markdownKeysOf(content: Record<string, unknown>): string[] {
  return content.format === "markdown" ? ["intro", "body"] : [];
}

/** Header injection guard: a CR or LF would let a value start a new header (RFC 5322 section 2.2). */
function checkHeaderValue(field: string, value: string): void {
  if (/[\r\n]/.test(value)) {
    throw new AppError(
      "invalid_input",
      `${field} ${JSON.stringify(value)} contains a line break; expected a single line`,
    );
  }
}

const templateName = /^[a-z0-9][a-z0-9_-]*$/i;

export async function listNewsletterTemplates(templatesDir: string): Promise<string[]> {
  const entries = await fs
    .readdir(path.join(templatesDir, "newsletters"))
    .catch(() => [] as string[]);
  return entries
    .filter((f) => f.endsWith(".mjml"))
    .map((f) => f.slice(0, -".mjml".length))
    .sort();
}

async function resolveNewsletterTemplate(templatesDir: string, name: string): Promise<string> {
  const known = await listNewsletterTemplates(templatesDir);
  if (!templateName.test(name) || !known.includes(name)) throw unknownName("template", name, known);
  return path.resolve(templatesDir, "newsletters", `${name}.mjml`);
}

/**
 * The footer's texts in the newsletter's language. They hold recipient
 * placeholders (`{{email}}`), which escaping would turn into text: a marker
 * stands in for each while the translation is escaped, then becomes the
 * placeholder the recipient stage fills.
 */
function footerTexts(locale: Locale): Record<string, unknown> {
  const marker = "MAILSTEWARDEMAILMARKER";
  const texts = textTree(locale, "footer", { email: marker }, (v) => v);
  return Object.fromEntries(
    Object.entries(texts).map(([k, v]) => [
      k,
      escapeHtml(String(v)).split(marker).join("{{email}}"),
    ]),
  );
}
