import type { Command } from "commander";
import { commandGroup } from "./command-group.ts";

/** `mailsteward privacy ...`: data-subject requests, retention, partner export. */
export function privacyGroup(program: Command): Command {
  return commandGroup(
    program,
    "privacy",
    "data-subject requests, retention and partner export (privacy --help)",
  );
}

/** The options every data-subject request takes: how the requester was verified. */
export function withVerification(command: Command): Command {
  return command
    .requiredOption(
      "--verified-by <method>",
      'how the requester was verified, e.g. "signed-letter", "email-from-address", "id-checked-in-person"',
    )
    .option(
      "--reference <text>",
      'where the proof is kept, e.g. "DMS #4711" (never the document itself)',
    );
}
