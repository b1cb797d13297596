import { AppError } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { employeeChangesSchema, parseEmployeeInput } from "./employee-input.ts";
import { employeeView, type EmployeeView } from "./employee-view.ts";
import { findEmployee } from "./find-employee.ts";

/**
 * Changes an employee's directory entry. `successor: null` clears it;
 * `cleanupPolicy: null` returns the mailbox to the default policy. The audit
 * entry names the fields changed, not their values.
 */
export async function updateEmployee(
  deps: { db: Db; clock: Clock },
  ref: string | number,
  input: unknown,
  actor: string,
): Promise<EmployeeView> {
  const changes = parseEmployeeInput(employeeChangesSchema, input);
  const employee = await findEmployee(deps.db, ref);
  let successorId: number | null | undefined;
  if (changes.successor !== undefined) {
    successorId =
      changes.successor === null ? null : (await findEmployee(deps.db, changes.successor)).id;
    if (successorId === employee.id)
      throw new AppError(
        "invalid_input",
        `employee ${employee.id} cannot be their own successor; name a colleague`,
      );
  }
  const fields = Object.keys(changes);
  if (fields.length === 0)
    throw new AppError(
      "invalid_input",
      "nothing to change; give at least one field (host, port, tls, login, secret reference, status, successor, cleanup policy, language)",
    );
  return deps.db.$transaction(async (tx) => {
    const updated = await tx.employee.update({
      where: { id: employee.id },
      data: {
        imapHost: changes.imapHost,
        imapPort: changes.imapPort,
        tlsMode: changes.tlsMode,
        login: changes.login,
        secretRef: changes.secretRef?.trim(),
        status: changes.status,
        successorId,
        language: changes.language,
        cleanupPolicy:
          changes.cleanupPolicy === undefined
            ? undefined
            : changes.cleanupPolicy === null
              ? Prisma.DbNull
              : changes.cleanupPolicy,
        departedAt:
          changes.status === undefined
            ? undefined
            : changes.status === "departed"
              ? (employee.departedAt ?? deps.clock.now())
              : null,
      },
      include: { successor: { select: { id: true, address: true } } },
    });
    await recordAudit(tx, {
      actor,
      action: "employee.changed",
      subjectType: "employee",
      subjectId: employee.id,
      detail: { fields, status: updated.status },
    });
    return employeeView(updated);
  });
}
