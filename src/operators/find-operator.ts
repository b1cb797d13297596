import { AppError } from "../errors.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";
import { operatorSummary, type OperatorSummary } from "./operator-deps.ts";
import { normaliseEmail } from "./parse-operator-input.ts";

/** An operator by address or id; not_found lists nothing (addresses of colleagues are not shown to a typo). */
export async function findOperator(db: DbOrTx, ref: string | number): Promise<OperatorSummary> {
  const where = typeof ref === "number" ? { id: ref } : { email: normaliseEmail(ref) };
  const operator = await db.operator.findUnique({ where, select: operatorSummary });
  if (!operator)
    throw new AppError(
      "not_found",
      `no operator "${ref}"; see mailsteward operators list for the operators there are`,
    );
  return operator;
}
