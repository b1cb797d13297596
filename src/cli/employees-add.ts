import type { Command } from "commander";
import { addEmployee } from "../mailboxes/add-employee.ts";
import { commandGroup } from "./command-group.ts";
import {
  employeeInput,
  formatEmployee,
  withEmployeeOptions,
  type EmployeeOptions,
} from "./employee-options.ts";
import { say, withApp } from "./with-app.ts";

export function employeesGroup(program: Command): Command {
  return commandGroup(
    program,
    "employees",
    "the mailbox directory: employees and their IMAP mailboxes",
  );
}

export function register(program: Command): void {
  withEmployeeOptions(
    employeesGroup(program)
      .command("add")
      .argument("<address>", "the employee's email address")
      .description("add an employee's mailbox to the directory"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  mailsteward employees add pat@example.com --host imap.example.com --port 993 --tls tls --secret-ref env:MAILBOX_PAT_PASSWORD",
    )
    .action(async (address: string, opts: EmployeeOptions) => {
      const employee = await withApp("employees add", (app) =>
        addEmployee(app, { address, ...employeeInput(opts) }, "cli"),
      );
      for (const line of formatEmployee(employee)) say(line);
    });
}
