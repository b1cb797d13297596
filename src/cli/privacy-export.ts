import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { AppError } from "../errors.ts";
import { correctContact, correctableFields } from "../privacy/correct-contact.ts";
import { exportContact } from "../privacy/export-contact.ts";
import { listPrivacyRequests } from "../privacy/list-privacy-requests.ts";
import { renderExportHtml } from "../privacy/render-export-html.ts";
import { privacyGroup, withVerification } from "./privacy-group.ts";
import { say, withApp } from "./with-app.ts";
import { cliPath } from "./cli-context.ts";

const day = (d: Date | null) => (d === null ? "-" : d.toISOString().slice(0, 10));

export function register(program: Command): void {
  withVerification(
    privacyGroup(program)
      .command("export")
      .argument("<email>", "the person's address")
      .description(
        "access and portability (GDPR art. 15, 20): everything held about the person, as JSON and a readable HTML page",
      )
      .option("--out <dir>", "where to write <reference>.json and <reference>.html", "."),
  )
    .addHelpText(
      "after",
      '\nExample:\n  mailsteward privacy export ann@example.com --verified-by signed-letter --reference "DMS #4711" --out /secure/exports',
    )
    .action(
      async (email: string, opts: { verifiedBy: string; reference?: string; out: string }) => {
        await withApp("privacy export", async (app) => {
          const doc = await exportContact(app, {
            email,
            verification: { method: opts.verifiedBy, reference: opts.reference ?? null },
            actor: "cli",
          });
          await fs.promises.mkdir(cliPath(opts.out), { recursive: true });
          const base = path.join(opts.out, doc.request.reference);
          // Personal data: readable by the operator only.
          await fs.promises.writeFile(
            cliPath(`${base}.json`),
            JSON.stringify(doc, null, 2) + "\n",
            {
              mode: 0o600,
            },
          );
          await fs.promises.writeFile(cliPath(`${base}.html`), renderExportHtml(doc), {
            mode: 0o600,
          });
          say(`request ${doc.request.reference}: wrote ${base}.json and ${base}.html`);
          say(
            `  ${doc.subscriptions.length} subscriptions, ${doc.consentLedger.length} consent events, ${doc.deliveries.length} deliveries, ${doc.dialogueRecords.length} dialogue records, ${doc.disclosures.length} disclosures`,
          );
        });
      },
    );

  withVerification(
    privacyGroup(program)
      .command("correct")
      .argument("<email>", "the person's address")
      .description("correct contact fields on the person's request (GDPR art. 16)")
      .requiredOption(
        "--set <field=value...>",
        `fields to change (${correctableFields.join(", ")}); an empty value clears it`,
      ),
  )
    .addHelpText(
      "after",
      '\nExample:\n  mailsteward privacy correct ann@example.com --set name="Ann Berg" phone=+4791234567 --verified-by email-from-address',
    )
    .action(
      async (email: string, opts: { set: string[]; verifiedBy: string; reference?: string }) => {
        const changes: Record<string, string | null> = {};
        for (const pair of opts.set) {
          const eq = pair.indexOf("=");
          if (eq <= 0)
            throw new AppError(
              "invalid_input",
              `--set "${pair}" is not field=value; expected e.g. name="Ann Berg"`,
            );
          changes[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
        await withApp("privacy correct", async (app) => {
          const r = await correctContact(app, {
            email,
            changes,
            verification: { method: opts.verifiedBy, reference: opts.reference ?? null },
            actor: "cli",
          });
          say(
            r.changed.length > 0
              ? `request ${r.reference}: corrected ${r.changed.join(", ")}`
              : `request ${r.reference}: nothing differed; nothing changed`,
          );
        });
      },
    );

  privacyGroup(program)
    .command("requests")
    .description(
      "data-subject requests (export, correction, erasure, withdrawal) with state and deadline",
    )
    .option("--open", "only requests not yet done")
    .option("--json", "print as JSON")
    .action(async (opts: { open?: boolean; json?: boolean }) => {
      await withApp("privacy requests", async (app) => {
        const rows = await listPrivacyRequests(app, { open: opts.open === true });
        if (opts.json) return say(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return say(opts.open ? "no open requests" : "no requests yet");
        for (const r of rows)
          say(
            `${r.reference}  ${r.kind.padEnd(10)} ${r.state.padEnd(8)} received ${day(r.receivedAt)}  due ${day(r.dueAt)}${r.overdue ? "  OVERDUE" : ""}  done ${day(r.completedAt)}  verified by ${r.verificationMethod}${r.verificationReference ? ` (${r.verificationReference})` : ""}`,
          );
      });
    });
}
