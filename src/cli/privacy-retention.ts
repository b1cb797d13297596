import type { Command } from "commander";
import { AppError } from "../errors.ts";
import { applyRetention, type RetentionProgress } from "../privacy/apply-retention.ts";
import { describePolicy } from "../privacy/describe-policy.ts";
import { privacyGroup } from "./privacy-group.ts";
import { say, withApp } from "./with-app.ts";
import { cliStderr } from "./cli-context.ts";

const day = (d: Date) => d.toISOString().slice(0, 10);

export function register(program: Command): void {
  privacyGroup(program)
    .command("retention")
    .description(
      "apply the retention policy now (what the daily privacy.retention job does), or list who would go with --dry-run",
    )
    .option("--dry-run", "erase nothing; list who would be erased, since when and by which rule")
    .option("--within <days>", "with --dry-run: also list those due within this many days")
    .option("--json", "with --dry-run: print the list as JSON")
    .addHelpText(
      "after",
      "\nThe policy: mailsteward privacy policy\n\nExamples:\n  mailsteward privacy retention --dry-run\n  mailsteward privacy retention --dry-run --within 30\n  mailsteward privacy retention",
    )
    .action(async (opts: { dryRun?: boolean; within?: string; json?: boolean }) => {
      const within = opts.within === undefined ? 0 : Number(opts.within);
      if (!Number.isInteger(within) || within < 0)
        throw new AppError(
          "invalid_input",
          `--within "${opts.within}" is not valid; expected a whole number of days such as 30`,
        );
      if (within > 0 && !opts.dryRun)
        throw new AppError("invalid_input", "--within only goes with --dry-run");
      await withApp("privacy retention", async (app) => {
        const tty = cliStderr().isTTY === true;
        const show = (p: RetentionProgress) => {
          if (tty)
            cliStderr().write(
              `\rretention: ${p.judged} contacts judged, ${p.due} due, ${p.erased} erased`,
            );
        };
        const result = await applyRetention(app, {
          dryRun: opts.dryRun === true,
          actor: "cli",
          horizon:
            within > 0 ? new Date(app.clock.now().getTime() + within * 86_400_000) : undefined,
          onProgress: show,
        });
        if (tty) cliStderr().write("\n");
        if (opts.dryRun && opts.json)
          return say(JSON.stringify({ ...result, list: result.list }, null, 2));
        if (opts.dryRun) {
          say(
            `dry run: ${result.due} contact(s) would be erased${within > 0 ? ` by ${day(new Date(app.clock.now().getTime() + within * 86_400_000))}` : " now"} (nothing was changed)`,
          );
          for (const d of result.list)
            say(
              `  contact ${d.contactId} ${d.email}: rule ${d.rule} from ${day(d.since)} ran out ${day(d.expiredAt)}`,
            );
        } else {
          say(
            `retention: ${result.erased} contact(s) erased, ${result.judged} judged, ${result.ms} ms`,
          );
        }
        say("the rules: mailsteward privacy policy");
      });
    });

  privacyGroup(program)
    .command("policy")
    .description(
      "print in plain language what the configured policy does, to check it against the privacy statement",
    )
    .action(async () => {
      await withApp("privacy policy", async (app) => {
        const activeMailboxes = await app.db.employee
          .count({ where: { status: "active" } })
          .catch(() => null);
        for (const line of describePolicy(app.config, { activeMailboxes })) say(line);
      });
    });
}
