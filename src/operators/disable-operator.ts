import { AppError } from "../errors.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { OperatorDeps, OperatorSummary } from "./operator-deps.ts";
import { findOperator } from "./find-operator.ts";

/**
 * Disables an operator: their sessions end and their API tokens are revoked
 * at once. The row stays, so the audit log's "operator:<id>" still names
 * someone. The last enabled admin cannot be disabled (nobody could add one).
 */
export async function disableOperator(
  deps: Pick<OperatorDeps, "db" | "clock">,
  ref: string | number,
  actor: string,
): Promise<OperatorSummary> {
  return deps.db.$transaction(async (tx) => {
    const operator = await findOperator(tx, ref);
    if (operator.role === "admin") {
      const admins = await tx.operator.count({
        where: { role: "admin", disabledAt: null, id: { not: operator.id } },
      });
      if (admins === 0)
        throw new AppError(
          "refused",
          `"${operator.email}" is the last enabled admin; add another admin first (mailsteward operators add EMAIL --role admin)`,
        );
    }
    const now = deps.clock.now();
    await tx.operator.update({ where: { id: operator.id }, data: { disabledAt: now } });
    await tx.operatorSession.deleteMany({ where: { operatorId: operator.id } });
    await tx.operatorApiToken.updateMany({
      where: { operatorId: operator.id, revokedAt: null },
      data: { revokedAt: now },
    });
    await recordAudit(tx, {
      actor,
      action: "operator.disabled",
      subjectType: "operator",
      subjectId: operator.id,
    });
    return operator;
  });
}
