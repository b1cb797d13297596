import fs from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";

/** Where one line of the assembled source came from, for error messages. */
export interface LineOrigin {
  file: string;
  line: number;
}

export interface AssembledTemplate {
  source: string;
  /** origins[i] is the file and line of source line i + 1 */
  origins: LineOrigin[];
  /** `<!-- key: value -->` lines at the top of the template (layout, subject) */
  directives: Record<string, string>;
}

const directiveLine = /^\s*<!--\s*([a-z]+)\s*:\s*(.*?)\s*-->\s*$/;
const includeLine = /^\s*<mj-include\s+path="([^"]+)"\s*\/>\s*$/;
const slotLine = /^\s*<!--\s*slot:content\s*-->\s*$/;
const maxDepth = 8;

/**
 * Builds one MJML document from a template, its layout and the partials they
 * include, keeping the origin of every line so that an MJML error at line 57
 * of the result can be reported as "templates/partials/footer.mjml line 12".
 *
 * We resolve `<mj-include path="..."/>` ourselves instead of letting MJML do
 * it because the partials need campaign values (the postal address) that are
 * filled in before MJML runs, and because MJML would lose the line mapping.
 * An include must stand alone on its line and stay inside the templates folder.
 */
export async function assembleTemplate(
  templatesDir: string,
  file: string,
): Promise<AssembledTemplate> {
  const root = path.resolve(templatesDir);
  const own = await readLines(root, path.resolve(file), 0);
  const directives: Record<string, string> = {};
  const body: Array<[string, LineOrigin]> = [];
  let header = true;
  for (const entry of own) {
    const m = header ? directiveLine.exec(entry[0]) : null;
    if (m && m[1] !== "slot") {
      directives[m[1]!] = m[2]!;
      body.push(["", entry[1]]); // keep line numbers aligned
      continue;
    }
    if (entry[0].trim() !== "") header = false;
    body.push(entry);
  }

  let lines = body;
  if (directives.layout) {
    const layoutFile = path.join(root, "layouts", `${directives.layout}.mjml`);
    const layout = await readLines(root, layoutFile, 0, file);
    const slot = layout.findIndex(([text]) => slotLine.test(text));
    if (slot < 0) {
      throw new AppError(
        "invalid_template",
        `${display(layoutFile)} has no "<!-- slot:content -->" line to hold the template`,
      );
    }
    lines = [...layout.slice(0, slot), ...body, ...layout.slice(slot + 1)];
  }
  return { source: lines.map(([t]) => t).join("\n"), origins: lines.map(([, o]) => o), directives };
}

async function readLines(
  root: string,
  file: string,
  depth: number,
  from?: string,
): Promise<Array<[string, LineOrigin]>> {
  if (!file.startsWith(root + path.sep)) {
    throw new AppError(
      "invalid_template",
      `${from ? display(from) + ": " : ""}include "${file}" is outside the templates folder ${display(root)}`,
    );
  }
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    throw new AppError(
      "invalid_template",
      `${from ? display(from) + ": " : ""}cannot read ${display(file)}; expected a file in ${display(root)}`,
    );
  }
  const out: Array<[string, LineOrigin]> = [];
  const raw = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
  for (const [i, line] of raw.entries()) {
    const m = includeLine.exec(line);
    if (!m) {
      out.push([line, { file, line: i + 1 }]);
      continue;
    }
    const where = `${display(file)} line ${i + 1}`;
    if (depth >= maxDepth)
      throw new AppError(
        "invalid_template",
        `${where}: includes nested more than ${maxDepth} deep (a cycle?)`,
      );
    out.push(...(await readLines(root, path.resolve(path.dirname(file), m[1]!), depth + 1, where)));
  }
  return out;
}

/** A path as a person would type it from the project folder. */
export function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}
