import { AppError } from "../errors.ts";
import type { Db } from "../types.ts";
import { employeeView, type EmployeeView } from "./employee-view.ts";

const statuses = ["active", "departing", "departed"] as const;

export async function listEmployees(
  db: Db,
  filter: { status?: string } = {},
): Promise<EmployeeView[]> {
  const status = filter.status;
  if (status !== undefined && !(statuses as readonly string[]).includes(status))
    throw new AppError(
      "invalid_input",
      `unknown status "${status}"; expected one of ${statuses.join(", ")}`,
    );
  const rows = await db.employee.findMany({
    where: status ? { status: status as (typeof statuses)[number] } : {},
    include: { successor: { select: { id: true, address: true } } },
    orderBy: { address: "asc" },
  });
  return rows.map(employeeView);
}
