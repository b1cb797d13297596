import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";
import { recordAudit } from "../../privacy/record-audit.ts";
import type { Db } from "../../types.ts";
import { checkTemplateSource, type TemplateProblem } from "./check-template-source.ts";
import { isWritable } from "./is-writable.ts";
import { resolveTemplateFile } from "./resolve-template-file.ts";

const maxBytes = 256 * 1024;

/**
 * Writes an edited template into the templates folder (TEMPLATES_DIR), after
 * checkTemplateSource finds nothing wrong: a template that does not compile
 * would stop every campaign that uses it at scheduling. The new file is
 * written beside the old one and renamed over it, so a reader (a send being
 * frozen right now) sees the old file or the new one, never half of one.
 * Campaigns already scheduled keep their frozen copy. The audit entry holds
 * the path and a hash of the new source, not the source.
 */
export async function saveTemplate(
  deps: {
    db: Db;
    templatesDir: string;
    postalAddress: string;
    fromName?: string;
    actor: string;
  },
  input: { path: string; source: string },
): Promise<{ problems: TemplateProblem[]; saved: boolean }> {
  const file = await resolveTemplateFile(deps.templatesDir, input.path);
  const bytes = Buffer.byteLength(input.source);
  if (bytes > maxBytes)
    throw new AppError(
      "invalid_input",
      `template ${input.path} is ${bytes} bytes; expected at most ${maxBytes}`,
    );
  if (!(await isWritable(file)) || !(await isWritable(path.dirname(file))))
    throw new AppError(
      "refused",
      `${input.path} is read-only here (TEMPLATES_DIR=${deps.templatesDir}); copy the templates folder somewhere writable and point TEMPLATES_DIR at it to edit templates in the console`,
    );
  const check = await checkTemplateSource({
    templatesDir: deps.templatesDir,
    path: input.path,
    source: input.source,
    postalAddress: deps.postalAddress,
    fromName: deps.fromName,
  });
  if (check.problems.length > 0) return { problems: check.problems, saved: false };

  const temporary = `${file}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  const mode = (await fs.stat(file)).mode & 0o777;
  await fs.writeFile(temporary, input.source, { mode });
  await fs.rename(temporary, file);
  await recordAudit(deps.db, {
    actor: deps.actor,
    action: "template.saved",
    subjectType: "template",
    subjectId: input.path,
    detail: {
      bytes,
      sha256: crypto.createHash("sha256").update(input.source).digest("hex").slice(0, 16),
    },
  });
  return { problems: [], saved: true };
}
