import { AppError } from "../errors.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Db } from "../types.ts";
import { findEmployee } from "./find-employee.ts";

/**
 * Removes an employee from the directory (the mailbox itself is untouched:
 * IMAP cannot delete accounts). Refused while a handover is under way
 * (status departing) unless forced, since the handover needs the entry.
 */
export async function removeEmployee(
  deps: { db: Db },
  ref: string | number,
  opts: { actor: string; force?: boolean },
): Promise<{ id: number }> {
  const employee = await findEmployee(deps.db, ref);
  if (employee.status === "departing" && !opts.force)
    throw new AppError(
      "conflict",
      `employee ${employee.id} is departing (a handover may be under way); finish it first, or remove with --force`,
    );
  await deps.db.$transaction(async (tx) => {
    await tx.employee.delete({ where: { id: employee.id } });
    await recordAudit(tx, {
      actor: opts.actor,
      action: "employee.removed",
      subjectType: "employee",
      subjectId: employee.id,
      detail: { status: employee.status },
    });
  });
  return { id: employee.id };
}
