import type { z } from "zod";
import { AppError } from "../../errors.ts";

/** Parses a body or query with its schema; the error names each bad field and what was expected. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues
    .map((i) => `${i.path.join(".") || what}: ${i.message}`)
    .join("; ");
  throw new AppError("invalid_input", `invalid ${what}: ${issues}`);
}
