import type { Command } from "commander";
import { createApiToken } from "../operators/create-api-token.ts";
import { operatorsGroup } from "./operators-add.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  operatorsGroup(program)
    .command("token")
    .argument("<email>", "the operator the token acts for")
    .requiredOption("--name <name>", "what the token is for (shown in the console)")
    .description("create an admin API token limited to the operator's role; printed once")
    .addHelpText(
      "after",
      "\nUse it as: curl -H 'Authorization: Bearer mso_...' PUBLIC_BASE_URL/api/lists",
    )
    .action(async (email: string, opts: { name: string }) => {
      const token = await withApp("operators token", (app) =>
        createApiToken(app, { operator: email, name: opts.name }, "cli"),
      );
      say(`token ${token.id} "${token.name}" for operator ${token.operatorId}:`);
      say(token.token);
      say("this token is shown once; send it as Authorization: Bearer <token> to /api");
    });
}
