import type { Command } from "commander";
import { cleanupMailbox, type CleanupOutcome } from "../mailboxes/cleanup-mailbox.ts";
import { cleanupProgress } from "./cleanup-progress.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  program
    .command("cleanup")
    .argument("<employee>", "id or address")
    .description(
      "delete what the cleanup policy selects in one mailbox now, by UID (UIDPLUS); flagged, dialogue-linked and customer mail is kept",
    )
    .option("--dry-run", "change nothing; print exactly what would go (folder, UID, date, size)")
    .option("--json", "print the report as JSON")
    .action(async (ref: string, opts: { dryRun?: boolean; json?: boolean }) => {
      const progress = cleanupProgress();
      let outcome: CleanupOutcome;
      try {
        outcome = await withApp("cleanup", (app) =>
          cleanupMailbox(app, ref, {
            actor: "cli",
            dryRun: opts.dryRun,
            onProgress: (p) => progress.update(p),
          }),
        );
      } finally {
        progress.stop();
      }
      if (opts.json)
        return say(
          JSON.stringify(
            opts.dryRun
              ? {
                  ...outcome.report,
                  messages: outcome.selections.map((s) => ({
                    folder: s.path,
                    uidValidity: s.uidValidity,
                    messages: s.messages,
                  })),
                }
              : outcome.report,
            null,
            2,
          ),
        );
      for (const line of formatCleanup(outcome)) say(line);
    });
}

const kb = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${(bytes / 1024).toFixed(1)} KB`;

export function formatCleanup({ report: r, selections }: CleanupOutcome): string[] {
  const lines = [
    `${r.dryRun ? "dry run (nothing changed): would delete" : "deleted"} in employee ${r.employeeId}'s mailbox: messages received before ${r.cutoff.slice(0, 10)}, not flagged, not linked to a dialogue record or an open customer${r.runId ? ` (run ${r.runId})` : ""}`,
  ];
  for (const f of r.folders)
    lines.push(
      `  ${f.folder}${f.specialUse ? ` (${f.specialUse})` : ""}: ${r.dryRun ? `${f.selected} messages, ${kb(f.selectedBytes)}` : `${f.deleted} of ${f.selected} selected, ${kb(f.deletedBytes)}`}; kept ${f.keptDialogue} dialogue-linked, ${f.keptCustomer} customer${f.unselectedAtDeletion ? `, ${f.unselectedAtDeletion} flagged meanwhile` : ""}`,
    );
  if (r.unmatchedFolders.length > 0)
    lines.push(`  not in this mailbox: ${r.unmatchedFolders.join(", ")}`);
  lines.push(
    r.dryRun
      ? `total: ${r.totals.selected} messages, ${kb(r.totals.selectedBytes)}`
      : `total: ${r.totals.deleted} messages deleted, ${kb(r.totals.deletedBytes)}${r.reconnects ? `; resumed after ${r.reconnects} lost connection(s)` : ""}`,
  );
  if (r.dryRun)
    for (const s of selections) {
      if (s.messages.length === 0) continue;
      lines.push(`${s.path} (UIDVALIDITY ${s.uidValidity}):`);
      for (const m of s.messages)
        lines.push(`  UID ${m.uid}  ${m.internalDate.toISOString().slice(0, 10)}  ${kb(m.size)}`);
    }
  return lines;
}
