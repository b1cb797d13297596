import type { Command } from "commander";
import { describeDecision, findContactRetention } from "../privacy/find-contact-retention.ts";
import { touchContact, touchVias } from "../privacy/touch-contact.ts";
import { AppError } from "../errors.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";

const day = (d: Date | null) => (d === null ? "-" : d.toISOString().slice(0, 10));

export function register(program: Command): void {
  const contacts = commandGroup(program, "contacts", "work with contacts (contacts import --help)");
  contacts
    .command("show")
    .argument("<email>", "the contact's address")
    .description(
      "the contact page: fields, subscriptions, and which retention rule keeps them until when",
    )
    .option("--json", "print as JSON")
    .action(async (email: string, opts: { json?: boolean }) => {
      await withApp("contacts show", async (app) => {
        const r = await findContactRetention(app, { email });
        if (opts.json) return say(JSON.stringify(r, null, 2));
        const c = r.contact;
        say(
          `contact ${c.id}: ${c.email}${c.name ? ` (${c.name})` : ""}${c.company ? `, ${c.company}` : ""}`,
        );
        say(
          `  customer: ${c.customerStatus}${c.customerEndedAt ? `, ended ${day(c.customerEndedAt)}` : ""}`,
        );
        say(`  last contact: ${day(c.lastContactAt)} (on file since ${day(c.createdAt)})`);
        for (const s of r.subscriptions)
          say(
            `  list ${s.list}: ${s.status}${s.unsubscribedAt ? ` since ${day(s.unsubscribedAt)}` : ""}`,
          );
        for (const e of r.events) say(`  contact by ${e.via} on ${day(e.occurredAt)} (${e.actor})`);
        say(`  retention: ${describeDecision(r.decision)}`);
      });
    });

  contacts
    .command("touch")
    .argument("<email>", "the contact's address")
    .description(
      "register a contact (a call, a meeting, a download): moves the active-dialogue retention clock",
    )
    .requiredOption("--via <way>", `how: ${touchVias.join(", ")}`)
    .option("--note <text>", "what it was about (kept with the event, erased with the person)")
    .option("--at <date>", "when, if not now: YYYY-MM-DD or ISO 8601")
    .action(async (email: string, opts: { via: string; note?: string; at?: string }) => {
      const at = opts.at === undefined ? undefined : new Date(opts.at);
      if (at && Number.isNaN(at.getTime()))
        throw new AppError("invalid_input", `--at "${opts.at}" is not a date; expected YYYY-MM-DD`);
      await withApp("contacts touch", async (app) => {
        const r = await touchContact(app, {
          email,
          via: opts.via,
          note: opts.note,
          at,
          actor: "cli",
        });
        say(
          r.moved
            ? `contact ${r.contactId}: contact by ${opts.via} registered; last contact now ${day(r.lastContactAt)}`
            : `contact ${r.contactId}: contact by ${opts.via} registered; an earlier date, so the last contact stays ${day(r.lastContactAt)}`,
        );
      });
    });
}
