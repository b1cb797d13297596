import type { Command } from "commander";
import { listOperators } from "../operators/list-operators.ts";
import { operatorsGroup } from "./operators-add.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  operatorsGroup(program)
    .command("list")
    .description("the console operators, their roles and state")
    .option("--json", "print as JSON")
    .action(async (opts: { json?: boolean }) => {
      const operators = await withApp("operators list", (app) => listOperators(app.db));
      if (opts.json) return say(JSON.stringify(operators, null, 2));
      if (operators.length === 0)
        return say("no operators yet; add one with: mailsteward operators add EMAIL --role admin");
      for (const o of operators) {
        const state = o.disabledAt
          ? "disabled"
          : o.lockedUntil && o.lockedUntil > new Date()
            ? "locked"
            : "active";
        const tokens = o.apiTokens.filter((t) => !t.revokedAt).length;
        say(
          `${String(o.id).padStart(4)}  ${o.email}  ${o.role}  ${state}  last seen ${o.lastSeenAt?.toISOString() ?? "never"}  ${tokens} API token(s)`,
        );
      }
    });
}
