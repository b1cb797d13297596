import type { Command } from "commander";
import { say, withApp } from "./with-app.ts";
import { cliStderr } from "./cli-context.ts";

export function register(program: Command): void {
  program
    .command("status")
    .description("show where the data lives and how much of it there is")
    .action(async () => {
      await withApp("status", async (app) => {
        const [contacts, lists, campaigns, suppressions] = await Promise.all([
          app.db.contact.count(),
          app.db.list.count(),
          app.db.campaign.count(),
          app.db.suppression.count(),
        ]);
        say(
          `database: ${app.database.embedded ? `embedded PGlite in ${app.config.dataDir}` : "PostgreSQL (DATABASE_URL)"}`,
        );
        say(
          `mail: ${app.config.smtp ? "SMTP (SMTP_URL)" : `outbox folder ${app.config.outboxDir}`}`,
        );
        say(
          `contacts: ${contacts}, lists: ${lists}, campaigns: ${campaigns}, suppressed addresses: ${suppressions}`,
        );
        const loose = app.database.looseModes;
        if (loose.length > 0) {
          // stderr, so a script reading the figures still sees the warning.
          cliStderr().write(
            `warning: ${loose.length} entries under ${app.config.dataDir} were open to other local users (for example ${loose[0]!.path}, mode ${loose[0]!.mode}); they are now 0700/0600, but anyone who could read them may have copied contacts or secrets. Keep DATA_DIR private (see SECURITY.md).\n`,
          );
        }
      });
    });
}
