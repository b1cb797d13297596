import { recordAudit } from "../privacy/record-audit.ts";
import type { OperatorDeps, OperatorSummary } from "./operator-deps.ts";
import { findOperator } from "./find-operator.ts";
import { checkPassword } from "./parse-operator-input.ts";
import { generatePassword, hashPassword } from "./password-hash.ts";

/**
 * Sets a new password (generated unless given), lifts a lock, and ends the
 * operator's sessions: whoever knew the old password is signed out.
 */
export async function resetPassword(
  deps: Pick<OperatorDeps, "db">,
  ref: string | number,
  actor: string,
  given?: string,
): Promise<{ operator: OperatorSummary; password: string | undefined }> {
  const generated = given === undefined ? generatePassword() : undefined;
  const passwordHash = await hashPassword(checkPassword(given ?? generated!));
  const operator = await deps.db.$transaction(async (tx) => {
    const found = await findOperator(tx, ref);
    await tx.operator.update({
      where: { id: found.id },
      data: { passwordHash, failedAttempts: 0, lockedUntil: null },
    });
    await tx.operatorSession.deleteMany({ where: { operatorId: found.id } });
    await recordAudit(tx, {
      actor,
      action: "operator.password_reset",
      subjectType: "operator",
      subjectId: found.id,
    });
    return found;
  });
  return { operator, password: generated };
}
