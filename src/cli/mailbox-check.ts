import type { Command } from "commander";
import {
  capabilitiesThatMatter,
  checkMailbox,
  type MailboxCheck,
} from "../mailboxes/check-mailbox.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  commandGroup(program, "mailbox", "employees' IMAP mailboxes")
    .command("check")
    .argument("<employee>", "id or address")
    .description(
      "log in and show the server's capabilities that matter here and the folders with message counts",
    )
    .option("--json", "print as JSON")
    .action(async (ref: string, opts: { json?: boolean }) => {
      const check = await withApp("mailbox check", (app) => checkMailbox(app, ref));
      if (opts.json) return say(JSON.stringify(check, null, 2));
      for (const line of formatCheck(check)) say(line);
    });
}

export function formatCheck(c: MailboxCheck): string[] {
  const lines = [`employee ${c.employeeId}: login ok`, "capabilities:"];
  for (const [name, why] of Object.entries(capabilitiesThatMatter)) {
    const value = c.capabilities[name as keyof typeof capabilitiesThatMatter];
    const shown = value === false ? "no " : value === true ? "yes" : `yes (${value})`;
    lines.push(`  ${name.padEnd(12)} ${shown.padEnd(16)} ${why}`);
  }
  if (c.quota) lines.push(`quota: ${c.quota.usedKb} of ${c.quota.limitKb} KB used`);
  lines.push("folders:");
  for (const f of c.folders)
    lines.push(
      `  ${String(f.messages ?? "?").padStart(8)}  ${f.path}${f.specialUse ? `  ${f.specialUse}` : ""}`,
    );
  if (!c.cleanupReady)
    lines.push(
      "cleanup: refused on this server (no UIDPLUS, so deletion could not be limited to the selected messages)",
    );
  return lines;
}
