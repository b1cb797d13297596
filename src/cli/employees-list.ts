import type { Command } from "commander";
import { listEmployees } from "../mailboxes/list-employees.ts";
import { employeesGroup } from "./employees-add.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  employeesGroup(program)
    .command("list")
    .description("the employees in the directory")
    .option("--status <status>", "only active, departing or departed")
    .option("--json", "print as JSON")
    .action(async (opts: { status?: string; json?: boolean }) => {
      const employees = await withApp("employees list", (app) =>
        listEmployees(app.db, { status: opts.status }),
      );
      if (opts.json) return say(JSON.stringify(employees, null, 2));
      if (employees.length === 0)
        return say("no employees yet; add one with: mailsteward employees add ADDRESS ...");
      for (const e of employees)
        say(
          `${String(e.id).padStart(4)}  ${e.address}  ${e.status}  ${e.imapHost}:${e.imapPort} ${e.tlsMode}${e.successor ? `  successor ${e.successor.address}` : ""}`,
        );
    });
}
