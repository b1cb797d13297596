#!/usr/bin/env node
/**
 * `mailsteward <command>`: one command per file in this folder, each exporting
 * `register(program)`. Errors from the domain print their message and exit 1.
 */
import { Command } from "commander";
import { isAppError } from "../errors.ts";
import { filesFor } from "./commands.ts";

const program = new Command("mailsteward")
  .description(
    "Keeps a privacy statement's email promises: consent-gated newsletters, one-click unsubscribe, dialogue records, retention.",
  )
  .showHelpAfterError();

// Only the named command's files are loaded (see commands.ts); the rest would cost seconds.
for (const file of filesFor(process.argv.slice(2))) {
  const { register } = (await import(`./${file}`)) as { register(program: Command): void };
  register(program);
}

program.parseAsync(process.argv).catch((error) => {
  process.stderr.write(
    `mailsteward: ${isAppError(error) ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
