/**
 * Filters of the console's lists come in the query string: every field is
 * optional, an empty field counts as unset, dates are days in UTC.
 */
import { z } from "zod";
import { AppError } from "../../errors.ts";

const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const optionalField = <T extends z.ZodType>(schema: T) =>
  z.preprocess(blankIsUnset, schema.optional());

/** yyyy-mm-dd */
export const dayField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date such as 2026-11-30");

export const pageField = optionalField(z.coerce.number().int().min(1).max(10_000));

/** Parses a filter; the error names each bad field and what was expected. */
export function parseFilter<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  throw new AppError(
    "invalid_input",
    `invalid filter: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
  );
}

/** From the start of `from` to the end of `to` (both days in UTC, both optional). */
export function dayRange(from?: string, to?: string): { gte?: Date; lt?: Date } | undefined {
  if (!from && !to) return undefined;
  const range: { gte?: Date; lt?: Date } = {};
  if (from) range.gte = new Date(`${from}T00:00:00Z`);
  if (to) range.lt = new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000);
  return range;
}
