import type { Command } from "commander";
import { sendTestMessage } from "../newsletters/preview-campaign.ts";
import { campaignGroup } from "./campaign-create.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  campaignGroup(program)
    .command("test")
    .argument("<slug>", "the campaign")
    .description(
      "send one real message, subject marked [TEST], to an address of yours (no delivery ledger row)",
    )
    .requiredOption("--to <address>", "where to send it")
    .action(async (slug: string, opts: { to: string }) => {
      await withApp("campaign test", async (app) => {
        const result = await sendTestMessage(
          { db: app.db, config: app.config, mailer: app.mailer, log: app.log, actor: "cli" },
          { slug, to: opts.to },
        );
        say(`sent test message <${result.messageId}>: ${result.response}`);
      });
    });
}
