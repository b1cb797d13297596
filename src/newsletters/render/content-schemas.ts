import { z } from "zod";
import { AppError } from "../../errors.ts";

/** More would make a newsletter nobody scrolls through, and a slow one to clip in Gmail (102 KB). */
export const maxArticles = 10;

const article = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(5000),
  url: z.string().optional(),
  imageUrl: z.string().optional(),
});

/** The shape of the content blocks each shipped newsletter template expects. */
const schemas: Record<string, z.ZodType> = {
  monthly: z.object({
    /** "markdown": intro and article bodies are Markdown (compile-campaign.ts) */
    format: z.enum(["text", "markdown"]).optional(),
    intro: z.string().trim().min(1).max(5000),
    articles: z.array(article).min(1).max(maxArticles),
  }),
};

const anyObject = z.record(z.string(), z.unknown());

/** Checks campaign content against its template's shape; unknown templates take any object. */
export function checkContent(template: string, content: unknown): Record<string, unknown> {
  const result = (schemas[template] ?? anyObject).safeParse(content);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${["content", ...i.path].join(".")}: ${i.message}`)
      .join("; ");
    throw new AppError(
      "invalid_input",
      `content for template "${template}" is not valid: ${issues}`,
      { issues: result.error.issues },
    );
  }
  return result.data as Record<string, unknown>;
}
