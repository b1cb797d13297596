import type { Command } from "commander";
import { cancelCampaign } from "../newsletters/cancel-campaign.ts";
import { campaignGroup } from "./campaign-create.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  campaignGroup(program)
    .command("cancel")
    .argument("<slug>", "the campaign")
    .description("stop a campaign for good; recipients not yet handed to SMTP are skipped")
    .action(async (slug: string) => {
      const result = await withApp("campaign cancel", (app) =>
        cancelCampaign({ ...app, actor: "cli" }, { slug }),
      );
      say(`campaign ${slug} cancelled; ${result.skipped} queued deliveries skipped`);
    });
}
