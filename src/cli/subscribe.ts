import { Option, type Command } from "commander";
import { subscribeContact } from "../contacts/subscribe-contact.ts";
import type { LegalBasis } from "../generated/prisma/client.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  program
    .command("subscribe")
    .argument("<email>", "the address to subscribe")
    .description(
      "subscribe someone directly, for consent you hold evidence of (a paper form, a recorded call); no confirmation email",
    )
    .requiredOption("--list <slug>", "the list to subscribe to")
    .requiredOption(
      "--source <text>",
      'where the consent was given, stored in the consent ledger, e.g. "paper form, trade fair 2026-10"',
    )
    .option("--name <name>", "the person's name")
    .option("--evidence <text>", 'where the proof is kept, e.g. "scanned form in DMS #4711"')
    .addOption(
      new Option("--legal-basis <basis>", "the legal basis for sending")
        .choices(["consent", "legitimate_interest", "contract"])
        .default("consent"),
    )
    .addHelpText(
      "after",
      '\nSuppressed addresses are refused.\n\nExample:\n  mailsteward subscribe ann@example.com --list news --source "paper form, trade fair 2026-10"',
    )
    .action(
      async (
        email: string,
        opts: {
          list: string;
          source: string;
          name?: string;
          evidence?: string;
          legalBasis: LegalBasis;
        },
      ) => {
        await withApp("subscribe", async (app) => {
          const result = await subscribeContact(app, {
            email,
            name: opts.name,
            list: opts.list,
            source: opts.source,
            evidence: { method: "cli", ...(opts.evidence ? { reference: opts.evidence } : {}) },
            legalBasis: opts.legalBasis,
            actor: "cli",
          });
          say(
            result.changed
              ? `subscribed contact ${result.contactId} to ${result.list}`
              : `contact ${result.contactId} was already subscribed to ${result.list}; nothing changed`,
          );
        });
      },
    );
}
