import type { Command } from "commander";
import { AppError } from "../errors.ts";
import { queryAudit } from "../privacy/query-audit.ts";
import { say, withApp } from "./with-app.ts";

function date(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new AppError(
      "invalid_input",
      `${option} "${value}" is not a date; expected YYYY-MM-DD or ISO 8601`,
    );
  return d;
}

export function register(program: Command): void {
  program
    .command("audit")
    .description("the audit log (append-only): who did what, when, to which subject, and why")
    .option(
      "--subject <s>",
      'a contact id, "type:id" (campaign:7), a keyed hash, or an address (looked up as its id and hash)',
    )
    .option("--action <a>", 'an action ("contact.erased") or a prefix with * ("privacy.*")')
    .option("--actor <a>", 'who: "cli", "api", "subscriber", "job:privacy.retention", ...')
    .option("--since <date>", "from this time (inclusive)")
    .option("--until <date>", "to this time (exclusive)")
    .option("--limit <n>", "at most this many, newest first", "100")
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      '\nExamples:\n  mailsteward audit --action "privacy.*" --since 2026-11-01\n  mailsteward audit --subject ann@example.com',
    )
    .action(
      async (opts: {
        subject?: string;
        action?: string;
        actor?: string;
        since?: string;
        until?: string;
        limit: string;
        json?: boolean;
      }) => {
        const limit = Number(opts.limit);
        await withApp("audit", async (app) => {
          const rows = await queryAudit(app, {
            subject: opts.subject,
            action: opts.action,
            actor: opts.actor,
            since: date(opts.since, "--since"),
            until: date(opts.until, "--until"),
            limit,
          });
          if (opts.json) return say(JSON.stringify(rows, null, 2));
          if (rows.length === 0) return say("no audit entries match");
          for (const r of rows)
            say(
              `${r.at.toISOString()}  ${r.actor.padEnd(12)} ${r.action.padEnd(28)} ${r.subjectType ?? "-"}:${r.subjectId ?? "-"}  ${JSON.stringify(r.detail)}`,
            );
        });
      },
    );
}
