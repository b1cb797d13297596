import type { Command } from "commander";
import { eraseContact } from "../privacy/erase-contact.ts";
import { privacyGroup, withVerification } from "./privacy-group.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  for (const kind of ["erase", "withdraw"] as const) {
    withVerification(
      privacyGroup(program)
        .command(kind)
        .argument("<email>", "the person's address")
        .description(
          kind === "erase"
            ? "erase a person on their request (GDPR art. 17): every table, in one transaction; only a keyed hash stays in suppression"
            : "record that a person withdrew consent, which deletes their data (the privacy statement's promise), not just unsubscribes",
        ),
    )
      .addHelpText(
        "after",
        `\nThe request is recorded with its one-month deadline (see: mailsteward privacy requests).\nThe person can come back only by signing up and confirming themselves.\n\nExample:\n  mailsteward privacy ${kind} ann@example.com --verified-by signed-letter --reference "DMS #4711"`,
      )
      .action(async (email: string, opts: { verifiedBy: string; reference?: string }) => {
        await withApp(`privacy ${kind}`, async (app) => {
          const result = await eraseContact(app, {
            contact: { email },
            kind: kind === "erase" ? "erasure" : "withdrawal",
            verification: { method: opts.verifiedBy, reference: opts.reference ?? null },
            actor: "cli",
            source: "cli",
          });
          say(`erased; request ${result.reference}; suppression hash ${result.addressHash}`);
        });
      });
  }
}
