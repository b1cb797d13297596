import type { Command } from "commander";
import { dialogueKinds, listDialogues } from "../inbox/list-dialogues.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";

export function dialogueGroup(program: Command): Command {
  return commandGroup(program, "dialogue", "what is kept of email exchanges with contacts");
}

export function register(program: Command): void {
  dialogueGroup(program)
    .command("list")
    .description("dialogue records, newest first")
    .option("--contact <email>", "only this contact's")
    .option("--kind <kind>", `only this kind: ${dialogueKinds.join(", ")}`)
    .option("--limit <n>", "at most this many (default 100)")
    .option("--json", "print JSON")
    .action(async (opts: { contact?: string; kind?: string; limit?: string; json?: boolean }) => {
      const rows = await withApp("dialogue list", (app) =>
        listDialogues(app.db, {
          contact: opts.contact,
          kind: opts.kind,
          limit: opts.limit ? Number(opts.limit) : undefined,
        }),
      );
      if (opts.json) return say(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return say("no dialogue records");
      for (const r of rows)
        say(
          `${r.id}  ${r.receivedAt}  ${r.direction === "in" ? "in " : "out"}  ${r.kind.padEnd(10)}  contact ${r.contactId ?? "-"}  campaign ${r.campaignId ?? "-"}${r.flagged ? "  FLAGGED" : ""}  ${r.subject ?? ""}`,
        );
    });
}
