import type { Command } from "commander";
import { pauseCampaign } from "../newsletters/pause-campaign.ts";
import { campaignGroup } from "./campaign-create.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  campaignGroup(program)
    .command("pause")
    .argument("<slug>", "the campaign")
    .description(
      "stop sending after the current batch; resume carries on without sending anyone twice",
    )
    .action(async (slug: string) => {
      await withApp("campaign pause", (app) =>
        pauseCampaign({ db: app.db, actor: "cli" }, { slug }),
      );
      say(`campaign ${slug} paused (the batch in progress finishes first)`);
    });
}
