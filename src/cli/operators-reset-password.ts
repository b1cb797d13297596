import type { Command } from "commander";
import { resetPassword } from "../operators/reset-password.ts";
import { operatorsGroup, readPasswordFromStdin } from "./operators-add.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  operatorsGroup(program)
    .command("reset-password")
    .argument("<email>", "the operator's email address")
    .option("--password-stdin", "read the new password from stdin instead of generating one")
    .description("set a new password (printed once), lift a lock, end the operator's sessions")
    .action(async (email: string, opts: { passwordStdin?: boolean }) => {
      const given = opts.passwordStdin ? await readPasswordFromStdin() : undefined;
      const result = await withApp("operators reset-password", (app) =>
        resetPassword(app, email, "cli", given),
      );
      say(
        `new password set for operator ${result.operator.id} (${result.operator.email}); their sessions ended`,
      );
      if (result.password !== undefined) say(`password: ${result.password}`);
    });
}
