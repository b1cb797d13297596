import type { Command } from "commander";
import { openHandoverSession } from "../adapters/imap-handover-session.ts";
import { callHandoverHook } from "../adapters/handover-hook.ts";
import { formatHandoverReport } from "../mailboxes/handover-report.ts";
import { runHandover, type HandoverProgress } from "../mailboxes/run-handover.ts";
import type { App } from "../main.ts";
import { handoverProgress } from "./handover-progress.ts";
import { say, withApp } from "./with-app.ts";
import { setCliExitCode } from "./cli-context.ts";

export function register(program: Command): void {
  program
    .command("handover")
    .argument("<employee>", "the departing employee: id or address")
    .requiredOption("--to <successor>", "the colleague who receives the mail: id or address")
    .description(
      "copy a departing employee's relevant mail to a successor under Handover/<employee>/, verify it, then empty the mailbox and call the account-deletion hook; rerun to resume",
    )
    .option("--dry-run", "change nothing: counts and sizes per folder and a sample")
    .option("--all", "everything but Trash and Junk, not only relevant mail")
    .option("--queue", "queue it as a job for a running worker instead of running it here")
    .option("--json", "print the report as JSON")
    .action(
      async (
        employee: string,
        opts: { to: string; dryRun?: boolean; all?: boolean; queue?: boolean; json?: boolean },
      ) => {
        if (opts.queue) {
          await withApp("handover", (app) =>
            app.queue.now("mailbox.handover", { employee, successor: opts.to, all: !!opts.all }),
          );
          return say(
            `handover of ${employee} queued; a running worker does it (mailsteward start)`,
          );
        }
        const progress = handoverProgress();
        let report;
        try {
          report = await withApp("handover", (app) =>
            runHandover(
              handoverDeps(app, "cli", (p) => progress.update(p)),
              {
                employee,
                successor: opts.to,
                all: !!opts.all,
                dryRun: !!opts.dryRun,
              },
            ),
          );
        } finally {
          progress.stop();
        }
        if (opts.json) return say(JSON.stringify(report, null, 2));
        for (const line of formatHandoverReport(report)) say(line);
        if (!report.dryRun && !report.verifiedOk) setCliExitCode(1);
      },
    );
}

export function handoverDeps(app: App, actor: string, onProgress?: (p: HandoverProgress) => void) {
  return {
    db: app.db,
    log: app.log,
    clock: app.clock,
    settings: app.config.handover,
    openSession: openHandoverSession,
    callHook: callHandoverHook,
    secrets: {
      secretsDir: app.config.mailboxes.secretsDir,
      tlsVerify: app.config.mailboxes.tlsVerify,
    },
    actor,
    ...(onProgress ? { onProgress } : {}),
  };
}
