import type { Config } from "../../config/load-config.ts";
import { isAppError } from "../../errors.ts";
import { displayName } from "../../newsletters/freeze-campaign.ts";
import { previewCampaign } from "../../newsletters/render/preview-campaign.ts";
import { kindText } from "../../privacy/guard-sensitive-content.ts";
import { scanSensitive } from "../../privacy/scan-sensitive.ts";
import { contentOf, type CampaignFormValues } from "./campaign-form.ts";

export interface DraftCheck {
  /** the message for the sample reader, when it renders */
  message: { subject: string; html: string; text: string } | null;
  /** by form field name ("subject", "article-body-1"): what is wrong there */
  fieldErrors: Record<string, string>;
  /** what belongs to no one field (the template, the postal address) */
  general: string[];
}

/**
 * Renders the editor's unsaved values through the real pipeline (freeze,
 * then personalise for a sample reader) and places each problem at the
 * field it comes from: the subject's header and placeholder checks, the
 * template's content shape (zod issue paths), link checks, and the
 * sensitive-data scanner run on each field, as scheduling will run it on
 * the whole text part (which is scanned too, for what the template adds).
 */
export async function checkCampaignDraft(
  config: Config,
  values: CampaignFormValues,
): Promise<DraftCheck> {
  const fieldErrors: Record<string, string> = {};
  const general: string[] = [];
  const keywords = config.privacy.sensitiveKeywords;
  const fields: Array<[string, string]> = [
    ["subject", values.subject],
    ["preheader", values.preheader],
    ["intro", values.intro],
    ...values.articles.flatMap((a, i): Array<[string, string]> => [
      [`article-title-${i}`, a.title],
      [`article-body-${i}`, a.body],
      [`article-url-${i}`, a.url],
    ]),
  ];
  let flagged = 0;
  for (const [name, value] of fields) {
    const found = scanSensitive(value, { keywords }).findings[0];
    if (!found) continue;
    flagged++;
    const column = found.start - value.lastIndexOf("\n", found.start - 1);
    fieldErrors[name] =
      `This looks like ${kindText[found.kind]} (at character ${column} of line ${value.slice(0, found.start).split("\n").length}); sensitive personal data must not travel by email.`;
  }

  let message: DraftCheck["message"] = null;
  try {
    const rendered = await previewCampaign({
      templatesDir: config.templatesDir,
      template: values.template,
      subject: values.subject,
      preheader: values.preheader || null,
      content: contentOf(values),
      postalAddress: config.postalAddress,
      fromName: displayName(config.mailFrom),
    });
    message = { subject: rendered.subject, html: rendered.html, text: rendered.text };
    if (flagged === 0 && scanSensitive(rendered.frozen.text, { keywords }).findings.length > 0)
      general.push(
        "The text part contains what looks like sensitive personal data that comes from the template, not from these fields; scheduling will refuse it.",
      );
  } catch (error) {
    if (!isAppError(error)) throw error;
    placeError(error, fieldErrors, general);
  }
  return { message, fieldErrors, general };
}

function placeError(
  error: { code: string; message: string; details?: Record<string, unknown> },
  fieldErrors: Record<string, string>,
  general: string[],
): void {
  const issues = error.details?.issues;
  if (Array.isArray(issues)) {
    for (const issue of issues as Array<{ path: unknown[]; message: string }>) {
      const [head, index, key] = issue.path;
      const name =
        head === "articles" && typeof index === "number" && typeof key === "string"
          ? `article-${key === "imageUrl" ? "image" : key}-${index}`
          : head === "articles"
            ? "articles"
            : String(head ?? "content");
      fieldErrors[name] ??= explain(issue.message);
    }
    return;
  }
  const link = /content\.articles\[(\d+)\]\.(url|imageUrl) is (.*); expected/.exec(error.message);
  if (link) {
    fieldErrors[`article-${link[2] === "url" ? "url" : "image"}-${link[1]}`] =
      `${link[3]} is not a web address; expected one starting with https://`;
    return;
  }
  const head = /^(subject|preheader)\b:? ?(.*)$/.exec(error.message);
  if (head) {
    fieldErrors[head[1]!] = error.message;
    return;
  }
  general.push(error.message);
}

/** zod's words, in the editor's: "Too small: expected string to have >=1 characters". */
function explain(message: string): string {
  if (/>=1 characters/.test(message)) return "This is required.";
  if (/>=1 items/.test(message)) return "Add at least one article.";
  return message;
}
