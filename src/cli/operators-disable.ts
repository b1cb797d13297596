import type { Command } from "commander";
import { disableOperator } from "../operators/disable-operator.ts";
import { operatorsGroup } from "./operators-add.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  operatorsGroup(program)
    .command("disable")
    .argument("<email>", "the operator's email address")
    .description(
      "disable an operator: sessions end, API tokens are revoked; the audit trail keeps the id",
    )
    .action(async (email: string) => {
      const operator = await withApp("operators disable", (app) =>
        disableOperator(app, email, "cli"),
      );
      say(
        `disabled operator ${operator.id} (${operator.email}); their sessions and API tokens no longer work`,
      );
    });
}
