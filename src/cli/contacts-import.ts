import fs from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { importContacts } from "../contacts/import-contacts.ts";
import { knownColumns } from "../contacts/contact-row.ts";
import { AppError } from "../errors.ts";
import type { LegalBasis } from "../generated/prisma/client.ts";
import { commandGroup } from "./command-group.ts";
import { cliPath } from "./cli-context.ts";
import { countProgress } from "./count-progress.ts";
import { say, withApp } from "./with-app.ts";

const legalBases: LegalBasis[] = ["legitimate_interest", "contract", "consent"];

export function register(program: Command): void {
  commandGroup(program, "contacts", "work with contacts (contacts import --help)")
    .command("import")
    .argument("<file>", "CSV file (UTF-8, comma-separated, first line the header)")
    .description("import contacts from a CSV file; rows with consent=yes are subscribed to --list")
    .option("--list <slug>", "subscribe rows whose consent column says yes to this list")
    .requiredOption(
      "--consent-source <text>",
      'where the consent was collected, stored as evidence, e.g. "webinar-2026-10 signup form"',
    )
    .addOption(
      new Option("--legal-basis <basis>", "the basis on which the contacts themselves are held")
        .choices(legalBases)
        .default("legitimate_interest"),
    )
    .addHelpText(
      "after",
      `
Columns (header names, any order; only email is required):
  ${knownColumns.join(", ")}
  product_interests: separated by ";"   dates: YYYY-MM-DD or ISO 8601
  customer_status: none, prospect, customer, former
  consent (or has_consent): yes/no, true/false, 1/0 (empty = no)
  consented_at (or consent_date): when it was given; the ledger keeps it as evidence

Bad rows are listed with their line number and reason; the good rows are imported.
An address already on file gets the row's non-empty fields. Within one file the
first row for an address wins. Suppressed addresses are never subscribed.

Example:
  mailsteward contacts import signups.csv --list news --consent-source "webinar-2026-10 signup form"`,
    )
    .action(
      async (
        file: string,
        opts: { list?: string; consentSource: string; legalBasis: LegalBasis },
      ) => {
        try {
          await fs.promises.access(cliPath(file), fs.constants.R_OK);
        } catch (error) {
          throw new AppError(
            "invalid_input",
            `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; expected a readable CSV file`,
          );
        }
        await withApp("contacts import", async (app) => {
          const progress = countProgress("importing", "rows");
          const result = await importContacts(app, {
            csv: fs.createReadStream(cliPath(file)),
            list: opts.list,
            consentSource: opts.consentSource,
            legalBasis: opts.legalBasis,
            fileName: path.basename(file),
            actor: "cli",
            onProgress: (done, total) => progress.update(done, total),
          }).finally(() => progress.stop());
          say(`import ${result.importId}: ${result.rows} rows read from ${path.basename(file)}`);
          say(`  new contacts:    ${result.imported}`);
          say(`  updated:         ${result.updated}`);
          if (opts.list) {
            say(
              `  subscribed to ${opts.list}: ${result.subscribed} (already subscribed: ${result.alreadySubscribed})`,
            );
            say(
              `  not subscribed, unsubscribed after the consent date: ${result.skippedUnsubscribed}`,
            );
          }
          say(`  skipped, suppressed address: ${result.skippedSuppressed}`);
          say(`  bad rows:        ${result.errors.length}`);
          for (const e of result.errors) say(`    line ${e.line}: ${e.reason}`);
        });
      },
    );
}
