import type { Command } from "commander";
import { campaignReport, type CampaignReport } from "../newsletters/campaign-report.ts";
import { campaignGroup } from "./campaign-create.ts";
import { followCampaign } from "./follow-campaign.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  campaignGroup(program)
    .command("report")
    .argument("<slug>", "the campaign")
    .description(
      "progress and outcome: deliveries per state, uncertain recipients, failures with the server's answer",
    )
    .option("--json", "print the report as JSON")
    .option(
      "--follow",
      "show the send's progress until the campaign has finished (a bar on a terminal, a line per tenth otherwise), then the report",
    )
    .action(async (slug: string, opts: { json?: boolean; follow?: boolean }) => {
      const report = await withApp("campaign report", (app) =>
        opts.follow ? followCampaign(app, slug) : campaignReport(app.db, slug),
      );
      if (opts.json) return say(JSON.stringify(report, null, 2));
      for (const line of formatReport(report)) say(line);
    });
}

export function formatReport(r: CampaignReport): string[] {
  const c = r.counts;
  const done = c.sent + c.failed + c.uncertain + c.skipped;
  const lines = [
    `campaign ${r.slug} (id ${r.id}): ${r.status}`,
    `  scheduled ${r.scheduledAt?.toISOString() ?? "-"}, started ${r.startedAt?.toISOString() ?? "-"}, finished ${r.finishedAt?.toISOString() ?? "-"}`,
    `  progress: ${done}/${c.total} recipients done`,
    `  sent ${c.sent}, failed ${c.failed}, uncertain ${c.uncertain}, skipped ${c.skipped}, queued ${c.queued}, sending ${c.sending}`,
  ];
  if (r.uncertain.length > 0) {
    lines.push(
      `  uncertain (handed to SMTP when a worker stopped; may or may not have arrived; never re-sent automatically):`,
    );
    for (const u of r.uncertain) lines.push(`    contact ${u.contactId} <${u.messageId}>`);
  }
  if (r.failures.length > 0) {
    lines.push(`  failures:`);
    for (const f of r.failures)
      lines.push(`    contact ${f.contactId}: ${f.response ?? "(no answer)"}`);
    if (r.moreFailures > 0)
      lines.push(`    ... and ${r.moreFailures} more (--json for all of the first 100)`);
  }
  return lines;
}
