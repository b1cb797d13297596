import { AppError } from "../errors.ts";
import type { Employee } from "../generated/prisma/client.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";

/**
 * Looks an employee up by id ("12") or address (any case). The CLI and the
 * admin API name employees either way.
 */
export async function findEmployee(db: DbOrTx, ref: string | number): Promise<Employee> {
  const text = String(ref).trim();
  const employee = /^\d+$/.test(text)
    ? await db.employee.findUnique({ where: { id: Number(text) } })
    : await db.employee.findUnique({ where: { address: text.toLowerCase() } });
  if (!employee)
    throw new AppError(
      "not_found",
      `unknown employee "${text}"; expected an id or an address from: mailsteward employees list`,
      { employee: text },
    );
  return employee;
}
