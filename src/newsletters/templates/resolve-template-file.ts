import fs from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";

/** The folders of templates/ (see templates/README.md) and the file names allowed in them. */
export const templateFolders = ["newsletters", "layouts", "partials", "system"] as const;
const relativePattern =
  /^(newsletters|layouts|partials|system)\/([a-z0-9][a-z0-9_-]{0,63})\.mjml$/i;

/**
 * `newsletters/monthly.mjml` -> its absolute path inside `templatesDir`, or
 * an error. The name is matched against a strict pattern (no `..`, no
 * slashes beyond the folder) and the real path, symbolic links followed,
 * must still lie inside the templates folder: the console writes files, and
 * a crafted name must never reach anything outside it.
 */
export async function resolveTemplateFile(templatesDir: string, relative: string): Promise<string> {
  if (!relativePattern.test(relative))
    throw new AppError(
      "invalid_input",
      `template path ${JSON.stringify(relative)} is not valid; expected <folder>/<name>.mjml with folder one of ${templateFolders.join(", ")}`,
    );
  const root = await fs.realpath(templatesDir);
  let real: string;
  try {
    real = await fs.realpath(path.join(root, relative));
  } catch {
    throw new AppError("not_found", `there is no template ${relative} in ${templatesDir}`);
  }
  if (!real.startsWith(root + path.sep))
    throw new AppError(
      "refused",
      `template ${relative} points outside the templates folder ${templatesDir}; refusing to read or write it`,
    );
  return real;
}
