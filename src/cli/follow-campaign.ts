import { setTimeout as sleep } from "node:timers/promises";
import { campaignReport, type CampaignReport } from "../newsletters/campaign-report.ts";
import type { App } from "../main.ts";
import { cliStderr, remoteRun, untilInterrupted } from "./cli-context.ts";
import { countProgress } from "./count-progress.ts";

// A campaign in one of these moves no further on its own (draft: nothing was scheduled).
const settled = new Set(["sent", "cancelled", "failed", "draft"]);

/**
 * `campaign report --follow`: the send's progress on stderr until the
 * campaign settles or the user presses Ctrl-C, then the last report. On the
 * embedded database a command run here holds the data directory, so no worker
 * can be sending: it says so instead of waiting for progress that cannot come.
 */
export async function followCampaign(
  app: App,
  slug: string,
  opts: { intervalMs?: number } = {},
): Promise<CampaignReport> {
  let report = await campaignReport(app.db, slug, { failureLimit: 0 });
  if (settled.has(report.status)) return campaignReport(app.db, slug);
  if (app.database.embedded && !remoteRun()) {
    cliStderr().write(
      `campaign ${report.slug} is ${report.status}, but no worker runs on ${app.config.dataDir}, so nothing is sending; start one (npm start) and follow again\n`,
    );
    return campaignReport(app.db, slug);
  }
  let interrupted = false;
  const interrupt = untilInterrupted().then(() => (interrupted = true));
  const progress = countProgress(`campaign ${report.slug}`, "recipients");
  try {
    for (;;) {
      const c = report.counts;
      progress.update(
        c.sent + c.failed + c.uncertain + c.skipped,
        c.total,
        `${report.status}: sent ${c.sent}, failed ${c.failed}, uncertain ${c.uncertain}`,
      );
      if (settled.has(report.status) || interrupted) break;
      await Promise.race([sleep(opts.intervalMs ?? 1000), interrupt]);
      report = await campaignReport(app.db, slug, { failureLimit: 0 });
    }
  } finally {
    progress.stop();
  }
  return campaignReport(app.db, slug);
}
