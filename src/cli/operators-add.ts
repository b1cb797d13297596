import type { Command } from "commander";
import { addOperator } from "../operators/add-operator.ts";
import { operatorRoles } from "../operators/operator-deps.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";

export function operatorsGroup(program: Command): Command {
  return commandGroup(program, "operators", "console operators: accounts, roles, API tokens");
}

/** The first line of stdin, for --password-stdin (a password never goes on a command line: ps shows it). */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

export function register(program: Command): void {
  operatorsGroup(program)
    .command("add")
    .argument("<email>", "the operator's email address (their sign-in name)")
    .requiredOption("--role <role>", `one of ${operatorRoles.join(", ")}`)
    .option("--name <name>", "the name shown in the console")
    .option("--password-stdin", "read the password from stdin instead of generating one")
    .description("add a console operator; prints a generated password once")
    .addHelpText(
      "after",
      "\nExamples:\n  mailsteward operators add kim@example.com --role marketing --name Kim\n  printf '%s\\n' \"$PASSWORD\" | mailsteward operators add it@example.com --role it --password-stdin",
    )
    .action(
      async (email: string, opts: { role: string; name?: string; passwordStdin?: boolean }) => {
        const password = opts.passwordStdin ? await readPasswordFromStdin() : undefined;
        const result = await withApp("operators add", (app) =>
          addOperator(app, { email, role: opts.role, name: opts.name, password }, "cli"),
        );
        say(
          `added operator ${result.operator.id}: ${result.operator.email} (${result.operator.role})`,
        );
        if (result.password !== undefined) {
          say(`password: ${result.password}`);
          say("this password is shown once; the operator signs in at PUBLIC_BASE_URL/admin");
        }
      },
    );
}
