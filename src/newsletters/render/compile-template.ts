import Handlebars from "handlebars";
import { compileMjml, type MjmlProblem } from "../../adapters/mjml.ts";
import { AppError } from "../../errors.ts";
import { display, type AssembledTemplate } from "./assemble-template.ts";
import { firstLine, protectPlaceholders } from "./placeholders.ts";

// Campaign stage only: an environment of its own so nothing registered here
// leaks into the recipient stage.
const campaignStage = Handlebars.create();

// Assembled sources whose MJML already passed validation before expansion.
const validated = new Set<string>();
const maxValidated = 64;

/**
 * Fills the campaign-stage `[[...]]` expressions of an assembled template with
 * already-escaped values, then compiles the MJML once. Recipient placeholders
 * `{{...}}` pass through untouched.
 *
 * The template is validated before expansion as well, so that a bad tag is
 * reported at its line in its own file, and so that a bad tag inside an
 * `[[#if]]` that this campaign's content happens to skip is still caught.
 */
export async function compileTemplate(
  assembled: AssembledTemplate,
  values: Record<string, unknown>,
): Promise<string> {
  const { source, origins } = assembled;
  const where = (line: number) => {
    const o = origins[line - 1];
    return o
      ? `${display(o.file)} line ${o.line}`
      : `${display(origins[0]?.file ?? "template")} (assembled) line ${line}`;
  };

  if (!validated.has(source)) {
    const before = await compileMjml(source);
    if (!before.ok) throw mjmlError(before.problems, where);
    if (validated.size >= maxValidated) validated.clear();
    validated.add(source);
  }

  const guarded = protectPlaceholders(source);
  const stageSource = guarded.text.replace(/\[\[/g, "{{").replace(/\]\]/g, "}}");
  let expanded: string;
  try {
    expanded = campaignStage.compile(stageSource, {
      noEscape: true,
      strict: true,
      knownHelpersOnly: true,
    })(values);
  } catch (error) {
    throw stageError(error, where);
  }

  const after = await compileMjml(expanded);
  if (!after.ok) {
    const first = after.problems[0]!;
    throw new AppError(
      "invalid_template",
      `${display(origins[0]?.file ?? "template")}: after filling in the campaign content, line ${first.line}: <${first.tag}> ${first.message}`,
      { problems: after.problems },
    );
  }
  return guarded.restore(after.html);
}

function mjmlError(problems: MjmlProblem[], where: (line: number) => string): AppError {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  const lines = sorted.map((p) => {
    const unknownTag = /doesn't exist or is not registered/.test(p.message);
    return `${where(p.line)}: <${p.tag}> ${unknownTag ? "is not a known tag" : p.message}`;
  });
  const more = lines.length > 3 ? ` (and ${lines.length - 3} more)` : "";
  return new AppError("invalid_template", lines.slice(0, 3).join("; ") + more, {
    problems: sorted.map((p) => ({ ...p, at: where(p.line) })),
  });
}

function stageError(error: unknown, where: (line: number) => string): AppError {
  const message = firstLine(error);
  const missing = /^"([^"]+)" not defined in .* - (\d+):\d+$/.exec(message);
  if (missing) {
    return new AppError(
      "invalid_input",
      `${where(Number(missing[2]))}: [[${missing[1]}]] has no value; the content given does not have a field "${missing[1]}"`,
    );
  }
  const parse = /line (\d+)/.exec(message);
  const at = parse ? where(Number(parse[1])) : where(1);
  const detail = error instanceof Error ? error.message.split("\n").slice(1).join(" ").trim() : "";
  return new AppError(
    "invalid_template",
    `${at}: bad [[...]] expression: ${message}${detail ? ` ${detail}` : ""}`,
  );
}
