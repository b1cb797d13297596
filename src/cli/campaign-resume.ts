import type { Command } from "commander";
import { resumeCampaign } from "../newsletters/resume-campaign.ts";
import { campaignGroup } from "./campaign-create.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  campaignGroup(program)
    .command("resume")
    .argument("<slug>", "the campaign")
    .description("carry on sending a paused campaign")
    .action(async (slug: string) => {
      await withApp("campaign resume", (app) => resumeCampaign({ ...app, actor: "cli" }, { slug }));
      say(`campaign ${slug} resumed`);
    });
}
