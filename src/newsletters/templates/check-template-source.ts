import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { compileMjml } from "../../adapters/mjml.ts";
import { isAppError } from "../../errors.ts";
import { assembleTemplate } from "../render/assemble-template.ts";
import { previewCampaign } from "../render/preview-campaign.ts";
import { sampleContent } from "../render/sample-content.ts";
import { resolveTemplateFile } from "./resolve-template-file.ts";

export interface TemplateProblem {
  /** relative to the templates folder; the edited file's problems carry its path */
  file: string;
  /** 1-based; 0 when MJML could not say */
  line: number;
  message: string;
}

export interface TemplateCheck {
  problems: TemplateProblem[];
  /** the newsletter shown with sample content (the edited one, or one that includes the edited file) */
  preview: { template: string; html: string; text: string } | null;
}

/**
 * Checks an edited template as the send path would use it, without touching
 * the real folder: the templates are copied to a scratch folder with the new
 * source in place, every newsletter and system template that uses the edited
 * file is assembled and validated (strict MJML, errors mapped back to the
 * file and line they came from), and a newsletter is compiled with sample
 * content for the preview (which also catches `[[...]]` and `{{...}}` errors).
 */
export async function checkTemplateSource(input: {
  templatesDir: string;
  path: string;
  source: string;
  content?: unknown;
  postalAddress: string;
  fromName?: string;
}): Promise<TemplateCheck> {
  await resolveTemplateFile(input.templatesDir, input.path);
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "mailsteward-template-"));
  try {
    await fs.cp(input.templatesDir, scratch, { recursive: true, dereference: true });
    const edited = path.join(scratch, input.path);
    await fs.writeFile(edited, input.source);
    const relative = (file: string) => path.relative(scratch, file);
    const problems: TemplateProblem[] = [];
    const users: string[] = [];
    for (const folder of ["newsletters", "system"]) {
      const names = await fs.readdir(path.join(scratch, folder)).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.endsWith(".mjml")).sort()) {
        const file = path.join(scratch, folder, name);
        try {
          const assembled = await assembleTemplate(scratch, file);
          if (!assembled.origins.some((o) => o.file === edited)) continue;
          if (folder === "newsletters") users.push(name.slice(0, -".mjml".length));
          const result = await compileMjml(assembled.source);
          if (result.ok) continue;
          for (const p of result.problems) {
            const origin = assembled.origins[p.line - 1];
            problems.push({
              file: origin ? relative(origin.file) : relative(file),
              line: origin?.line ?? 0,
              message: `<${p.tag}> ${p.message}`,
            });
          }
        } catch (error) {
          if (!isAppError(error)) throw error;
          problems.push({ file: relative(file), line: 0, message: scrub(error.message, scratch) });
        }
      }
    }
    const unique = dedupe(problems).sort(
      (a, b) => Number(b.file === input.path) - Number(a.file === input.path) || a.line - b.line,
    );
    const template = input.path.startsWith("newsletters/")
      ? path.basename(input.path, ".mjml")
      : users[0];
    if (unique.length > 0 || template === undefined) return { problems: unique, preview: null };
    try {
      const message = await previewCampaign({
        templatesDir: scratch,
        template,
        subject: "Sample subject",
        preheader: "Sample preheader",
        content: input.content ?? sampleContent(template),
        postalAddress: input.postalAddress,
        fromName: input.fromName,
      });
      return { problems: [], preview: { template, html: message.html, text: message.text } };
    } catch (error) {
      if (!isAppError(error)) throw error;
      const at = /^(\S+\.mjml) line (\d+)/.exec(scrub(error.message, scratch));
      return {
        problems: [
          {
            file: at ? at[1]! : input.path,
            line: at ? Number(at[2]) : 0,
            message: scrub(error.message, scratch),
          },
        ],
        preview: null,
      };
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** Error messages name files by their scratch path; a person wants the templates/ one. */
function scrub(message: string, scratch: string): string {
  return message.split(scratch + path.sep).join("");
}

function dedupe(problems: TemplateProblem[]): TemplateProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
