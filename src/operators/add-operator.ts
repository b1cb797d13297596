import { AppError } from "../errors.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import { operatorSummary, type OperatorDeps, type OperatorSummary } from "./operator-deps.ts";
import { checkPassword, normaliseEmail, parseRole } from "./parse-operator-input.ts";
import { generatePassword, hashPassword } from "./password-hash.ts";

/**
 * Adds an operator. Without a password one is generated and returned, to be
 * shown once: it is never stored in the clear.
 */
export async function addOperator(
  deps: Pick<OperatorDeps, "db">,
  input: { email: string; role: string; name?: string | null; password?: string },
  actor: string,
): Promise<{ operator: OperatorSummary; password: string | undefined }> {
  const email = normaliseEmail(input.email);
  const role = parseRole(input.role);
  const generated = input.password === undefined ? generatePassword() : undefined;
  const passwordHash = await hashPassword(checkPassword(input.password ?? generated!));
  const existing = await deps.db.operator.findUnique({ where: { email }, select: { id: true } });
  if (existing) throw new AppError("conflict", `an operator "${email}" exists already`);
  const operator = await deps.db.$transaction(async (tx) => {
    const created = await tx.operator.create({
      data: { email, role, name: input.name?.trim() || null, passwordHash },
      select: operatorSummary,
    });
    await recordAudit(tx, {
      actor,
      action: "operator.added",
      subjectType: "operator",
      subjectId: created.id,
      detail: { role },
    });
    return created;
  });
  return { operator, password: generated };
}
