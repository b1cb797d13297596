import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { exportPartnerContacts, partnerCsv } from "../privacy/export-partner-contacts.ts";
import { linkPartner } from "../privacy/link-partner.ts";
import { privacyGroup } from "./privacy-group.ts";
import { say, withApp } from "./with-app.ts";
import { cliPath } from "./cli-context.ts";

const operator = () => `cli:${os.userInfo().username}`;

export function register(program: Command): void {
  privacyGroup(program)
    .command("partner-export")
    .description(
      "write name, email, phone and company (nothing else) of the contacts linked to a partner and still in an ongoing relationship, as CSV and JSON; the disclosure is recorded",
    )
    .requiredOption("--partner <name>", "the partner")
    .option("--out <dir>", "where to write the files", ".")
    .action(async (opts: { partner: string; out: string }) => {
      await withApp("privacy partner-export", async (app) => {
        const result = await exportPartnerContacts(app, {
          partner: opts.partner,
          actor: operator(),
        });
        await fs.promises.mkdir(cliPath(opts.out), { recursive: true });
        const slug = result.partner
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "-")
          .replace(/^-|-$/g, "");
        const base = path.join(opts.out, `${slug || "partner"}-${result.exportId.slice(0, 8)}`);
        await fs.promises.writeFile(cliPath(`${base}.csv`), partnerCsv(result.records), {
          mode: 0o600,
        });
        await fs.promises.writeFile(
          cliPath(`${base}.json`),
          JSON.stringify(result.records, null, 2) + "\n",
          {
            mode: 0o600,
          },
        );
        say(
          `partner ${result.partner}: ${result.records.length} contact(s) written to ${base}.csv and ${base}.json`,
        );
        if (result.skippedDue > 0)
          say(
            `  ${result.skippedDue} linked contact(s) left out: no retention rule keeps them any more`,
          );
        say(`  disclosure recorded (export ${result.exportId})`);
      });
    });

  privacyGroup(program)
    .command("partner-link")
    .argument("<emails...>", "contacts' addresses")
    .description(
      "link contacts to a partner they may be shared with (the partner is created if new)",
    )
    .requiredOption("--partner <name>", "the partner")
    .option("--unlink", "remove the links instead")
    .action(async (emails: string[], opts: { partner: string; unlink?: boolean }) => {
      await withApp("privacy partner-link", async (app) => {
        const r = await linkPartner(app, {
          partner: opts.partner,
          emails,
          unlink: opts.unlink,
          actor: operator(),
        });
        say(
          `${opts.unlink ? "unlinked" : "linked"} ${r.changed} contact(s) ${opts.unlink ? "from" : "to"} ${opts.partner}`,
        );
        for (const e of r.unknown) say(`  not on file: ${e}`);
      });
    });
}
