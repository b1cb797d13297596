import type { Command } from "commander";
import { employeeView } from "../mailboxes/employee-view.ts";
import { findEmployee } from "../mailboxes/find-employee.ts";
import { cleanupPolicy } from "../mailboxes/cleanup-policy.ts";
import { employeesGroup } from "./employees-add.ts";
import { formatEmployee } from "./employee-options.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  employeesGroup(program)
    .command("show")
    .argument("<employee>", "id or address")
    .description("one employee's directory entry and effective cleanup policy")
    .option("--json", "print as JSON")
    .action(async (ref: string, opts: { json?: boolean }) => {
      const { view, policy } = await withApp("employees show", async (app) => {
        const found = await findEmployee(app.db, ref);
        const successor = found.successorId
          ? await app.db.employee.findUnique({
              where: { id: found.successorId },
              select: { id: true, address: true },
            })
          : null;
        return {
          view: employeeView({ ...found, successor }),
          policy: cleanupPolicy(app.config, found.cleanupPolicy, found.id),
        };
      });
      if (opts.json)
        return say(JSON.stringify({ ...view, effectiveCleanupPolicy: policy }, null, 2));
      for (const line of formatEmployee(view)) say(line);
      say(
        `  effective cleanup: older than ${policy.olderThanMonths} months in ${policy.folders.join(", ")}; kept: flagged, dialogue-linked, open customers${policy.keepFolders.length ? `, folders ${policy.keepFolders.join(", ")}` : ""}; deletion by ${policy.deleteMode === "trash" ? "MOVE to Trash, then UID EXPUNGE" : "UID EXPUNGE"}`,
      );
    });
}
