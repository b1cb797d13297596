#!/usr/bin/env node
/**
 * `mailsteward <command>`: one command per file in this folder, each exporting
 * `register(program)`. Errors from the domain print their message and exit 1.
 */
import { Command } from "commander";
import { isAppError } from "../errors.ts";
import { register as registerStart } from "./start.ts";
import { register as registerStatus } from "./status.ts";
import { register as registerContactsImport } from "./contacts-import.ts";
import { register as registerLists } from "./lists.ts";
import { register as registerListsCreate } from "./lists-create.ts";
import { register as registerSubscribe } from "./subscribe.ts";

const program = new Command("mailsteward")
  .description("Keeps a privacy statement's email promises: consent-gated newsletters, one-click unsubscribe, dialogue records, retention.")
  .showHelpAfterError();

for (const register of [registerStart, registerStatus, registerContactsImport, registerLists, registerListsCreate, registerSubscribe]) register(program);

program.parseAsync(process.argv).catch((error) => {
  process.stderr.write(`mailsteward: ${isAppError(error) ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
