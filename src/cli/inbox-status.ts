import type { Command } from "commander";
import { inboxStatus, type MailboxStatus } from "../inbox/inbox-status.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  commandGroup(program, "inbox", "incoming mail: watched mailboxes and what arrives in them")
    .command("status")
    .description(
      "per watched mailbox: watcher up or down, last UID, lag, last error, messages today",
    )
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const status = await withApp("inbox status", (app) => inboxStatus(app));
      if (opts.json) return say(JSON.stringify(status, null, 2));
      if (status.length === 0)
        return say("no mailboxes are watched; set INBOX_MAILBOXES (see .env.example)");
      for (const line of formatStatus(status)) say(line);
    });
}

export function formatStatus(status: MailboxStatus[]): string[] {
  return status.map(
    (m) =>
      `${m.mailbox} (${m.role}, ${m.direction}): ${m.up ? "up" : "DOWN"}, last UID ${m.lastUid}` +
      ` (UIDVALIDITY ${m.uidValidity ?? "-"}), lag ${m.lag}, ${m.messagesToday} today` +
      (m.lastError ? `, last error ${m.lastErrorAt}: ${m.lastError}` : ""),
  );
}
