import fs from "node:fs/promises";
import path from "node:path";
import Handlebars from "handlebars";
import { AppError, unknownName } from "../../errors.ts";
import { assembleTemplate } from "./assemble-template.ts";
import { compileTemplate } from "./compile-template.ts";
import { escapeContent, escapeHtml } from "./escape-content.ts";
import { textTree, type Locale } from "../../i18n/translate.ts";
import { plainTextPart } from "./plain-text-part.ts";

export type SystemEmailName = "confirm-subscription" | "cleanup-review";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const headerStage = Handlebars.create();

/**
 * Renders a one-off service email from templates/system/ (double opt-in
 * confirmation and the like). These go to one person at a time, so all values
 * are filled in the campaign stage (`[[...]]`, escaped) and MJML is compiled
 * per call. The template names its subject and preheader in `<!-- subject: -->`
 * and `<!-- preheader: -->` lines at its top.
 */
export async function renderSystemEmail(
  templatesDir: string,
  name: SystemEmailName,
  fields: Record<string, string>,
  /** the language of the texts (locales/<locale>.json "mail"), available to the template as [[t.…]] */
  locale: Locale = "en",
): Promise<RenderedEmail> {
  const dir = path.join(templatesDir, "system");
  const known = (await fs.readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.endsWith(".mjml"))
    .map((f) => f.slice(0, -5))
    .sort();
  if (!known.includes(name)) throw unknownName("system template", name, known);

  const file = path.resolve(dir, `${name}.mjml`);
  const assembled = await assembleTemplate(templatesDir, file);
  const plain = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, String(v).replace(/[\r\n]+/g, " ")]),
  );
  // Headers get the texts with plain values; the body with escaped ones (a translation's own markup stays).
  const headerFields = { ...plain, lang: locale, t: textTree(locale, "mail", plain) };
  const subject = headerLine(assembled.directives.subject, headerFields, file, "subject");
  if (subject === "")
    throw new AppError("invalid_template", `${file} has no "<!-- subject: ... -->" line`);
  const preheader = headerLine(assembled.directives.preheader, headerFields, file, "preheader");

  const values = {
    ...(escapeContent(fields, "fields") as Record<string, unknown>),
    subject: escapeContent(subject),
    preheader: escapeContent(preheader),
    fromName: escapeContent(fields.fromName ?? ""),
    postalAddress: escapeContent(fields.postalAddress ?? ""),
    lang: locale,
    t: textTree(locale, "mail", plain, escapeHtml),
  };
  const html = await compileTemplate(assembled, values);
  // No recipient stage here: the text goes out as it is, so undo the
  // Handlebars escaping plainTextPart adds for content braces.
  const text = plainTextPart(html)
    .replace(/\u200B/g, "")
    .replace(/\\\{\{/g, "{{");
  return { subject, html, text };
}

function headerLine(
  source: string | undefined,
  fields: Record<string, unknown>,
  file: string,
  part: string,
): string {
  if (!source) return "";
  try {
    const template = headerStage.compile(source.replace(/\[\[/g, "{{").replace(/\]\]/g, "}}"), {
      noEscape: true,
      strict: true,
      knownHelpersOnly: true,
    });
    return template(fields).trim();
  } catch (error) {
    throw new AppError(
      "invalid_input",
      `${file} ${part}: ${(error as Error).message.split("\n")[0]}; fields given: ${Object.keys(fields).join(", ") || "(none)"}`,
    );
  }
}
