import mjml2html from "mjml";

/** One MJML validation finding, with the line in the source that was compiled. */
export interface MjmlProblem {
  line: number;
  tag: string;
  message: string;
}

export type MjmlResult = { ok: true; html: string } | { ok: false; problems: MjmlProblem[] };

/**
 * Compiles MJML with strict validation: a document with any error is not
 * rendered at all, so a typo in a tag never reaches a subscriber as broken
 * layout. Includes are resolved by the caller (see assemble-template.ts), so
 * MJML is never allowed to read files itself.
 */
export async function compileMjml(source: string): Promise<MjmlResult> {
  try {
    const result = await mjml2html(source, {
      validationLevel: "strict",
      keepComments: false,
      ignoreIncludes: true,
    });
    if (result.errors.length > 0) return { ok: false, problems: result.errors.map(toProblem) };
    return { ok: true, html: result.html };
  } catch (error) {
    const errors = (error as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0)
      return { ok: false, problems: errors.map(toProblem) };
    // A parse failure (unclosed tag and the like) comes without the errors array.
    return {
      ok: false,
      problems: [
        {
          line: 0,
          tag: "mjml",
          message: error instanceof Error ? error.message.trim() : String(error),
        },
      ],
    };
  }
}

function toProblem(raw: unknown): MjmlProblem {
  const e = raw as { line?: unknown; tagName?: unknown; message?: unknown };
  return {
    line: typeof e.line === "number" ? e.line : 0,
    tag: typeof e.tagName === "string" ? e.tagName : "?",
    message: typeof e.message === "string" ? e.message : String(raw),
  };
}
