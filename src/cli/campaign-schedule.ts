import type { Command } from "commander";
import { AppError } from "../errors.ts";
import { scheduleCampaign } from "../newsletters/schedule-campaign.ts";
import { campaignGroup } from "./campaign-create.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  campaignGroup(program)
    .command("schedule")
    .argument("<slug>", "the campaign")
    .description(
      "freeze the content (MJML compiled and checked now) and queue the send; a running worker sends it",
    )
    .option("--at <iso-time>", "when to start, e.g. 2026-12-01T08:00:00Z (default: now)")
    .option(
      "--allow-sensitive <reason>",
      "send although the sensitive-data scanner found something (say why; recorded in the audit log)",
    )
    .action(async (slug: string, opts: { at?: string; allowSensitive?: string }) => {
      const at = opts.at === undefined ? undefined : new Date(opts.at);
      if (at && Number.isNaN(at.getTime()))
        throw new AppError(
          "invalid_input",
          `--at "${opts.at}" is not a time; expected ISO 8601 such as 2026-12-01T08:00:00Z`,
        );
      await withApp("campaign schedule", async (app) => {
        const result = await scheduleCampaign(
          { ...app, actor: "cli" },
          { slug, at, allowSensitive: opts.allowSensitive },
        );
        say(
          `campaign ${slug} scheduled for ${result.scheduledAt.toISOString()}; follow it with: mailsteward campaign report ${slug}`,
        );
      });
    });
}
