import type { Prisma } from "../generated/prisma/client.ts";
import { AppError } from "../errors.ts";
import { parseEmail } from "./contact-row.ts";
import { fieldProblem } from "./field-limits.ts";

/** Normalises and checks an address given by a person or an operator. */
export function requireEmail(raw: string): string {
  const email = parseEmail(raw);
  if (!email)
    throw new AppError(
      "invalid_input",
      `invalid email ${JSON.stringify(raw.trim().slice(0, 300))}; expected an address such as name@example.com, without control characters, at most 64 characters before the @ and 255 after`,
    );
  return email;
}

/** A person's name as typed, trimmed; refused with invalid_input when too long or holding control characters. */
export function requireName(raw: string | null | undefined): string | null {
  const name = raw?.trim() || null;
  if (name === null) return null;
  const problem = fieldProblem("name", name);
  if (problem) throw new AppError("invalid_input", problem);
  return name;
}

/**
 * Finds or creates the contact for an address. `name` fills an empty name
 * only when `overwriteName` is false: an unauthenticated web form must not
 * rename someone already on file.
 */
export async function upsertContact(
  tx: Prisma.TransactionClient,
  input: { email: string; name?: string | null; overwriteName: boolean },
): Promise<{ id: number; name: string | null; created: boolean }> {
  const name = requireName(input.name);
  const existing = await tx.contact.findUnique({
    where: { email: input.email },
    select: { id: true, name: true },
  });
  if (existing) {
    if (name && (input.overwriteName || existing.name === null)) {
      await tx.contact.update({ where: { id: existing.id }, data: { name }, select: { id: true } });
      return { ...existing, name, created: false };
    }
    return { ...existing, created: false };
  }
  // upsert, not create: a concurrent request for the same address must not fail on the unique email.
  const row = await tx.contact.upsert({
    where: { email: input.email },
    create: { email: input.email, name },
    update: {},
    select: { id: true, name: true },
  });
  return { ...row, created: true };
}
