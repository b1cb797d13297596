import type { Command } from "commander";
import { employeeView } from "../mailboxes/employee-view.ts";
import { findEmployee } from "../mailboxes/find-employee.ts";
import { updateEmployee } from "../mailboxes/update-employee.ts";
import { employeesGroup } from "./employees-add.ts";
import {
  employeeInput,
  formatEmployee,
  withEmployeeOptions,
  type EmployeeOptions,
} from "./employee-options.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  withEmployeeOptions(
    employeesGroup(program)
      .command("set")
      .argument("<employee>", "id or address")
      .description("change an employee's directory entry"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  mailsteward employees set pat@example.com --status departing --successor sam@example.com\n  mailsteward employees set 12 --cleanup-older-than 24 --cleanup-keep-folders Contracts",
    )
    .action(async (ref: string, opts: EmployeeOptions) => {
      const employee = await withApp("employees set", async (app) => {
        const current = employeeView(await findEmployee(app.db, ref));
        return updateEmployee(app, ref, employeeInput(opts, current), "cli");
      });
      for (const line of formatEmployee(employee)) say(line);
    });
}
