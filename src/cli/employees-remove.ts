import type { Command } from "commander";
import { removeEmployee } from "../mailboxes/remove-employee.ts";
import { employeesGroup } from "./employees-add.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  employeesGroup(program)
    .command("remove")
    .argument("<employee>", "id or address")
    .description("remove an employee from the directory (the mailbox itself is not touched)")
    .option("--force", "also while the employee is departing")
    .action(async (ref: string, opts: { force?: boolean }) => {
      const { id } = await withApp("employees remove", (app) =>
        removeEmployee(app, ref, { actor: "cli", force: opts.force }),
      );
      say(`removed employee ${id} from the directory`);
    });
}
