import type { Command } from "commander";
import { AppError } from "../errors.ts";
import { decideHeldUnsubscribe, type HeldDecision } from "../inbox/decide-held-unsubscribe.ts";
import { listHeldUnsubscribes } from "../inbox/list-held-unsubscribes.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";

/**
 * Mailed unsubscribe requests held for a person (a message to the bare
 * unsubscribe@ address from a known contact's address, without the signed
 * token that proves who sent it): list them, confirm one after checking with
 * the contact, or dismiss it.
 */
export function register(program: Command): void {
  const inbox = commandGroup(
    program,
    "inbox",
    "incoming mail: watched mailboxes and what arrives in them",
  );
  inbox
    .command("held")
    .description("mailed unsubscribe requests waiting for an operator to confirm or dismiss")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const held = await withApp("inbox held", (app) => listHeldUnsubscribes(app.db));
      if (opts.json) return say(JSON.stringify(held, null, 2));
      if (held.length === 0) return say("no unsubscribe requests are waiting");
      for (const h of held)
        say(`${h.id}  ${h.receivedAt}  ${h.contactEmail ?? "(contact erased)"}  via ${h.mailbox}`);
      say(
        `confirm with: mailsteward inbox confirm ID   (or dismiss: mailsteward inbox dismiss ID)`,
      );
    });
  for (const decision of ["confirm", "dismiss"] as const satisfies readonly HeldDecision[]) {
    inbox
      .command(decision)
      .argument("<id>", "the request's id, from: mailsteward inbox held")
      .description(
        decision === "confirm"
          ? "unsubscribe the contact from every list, as the held message asked (check with them first: From can be forged)"
          : "close a held unsubscribe request without changing anything",
      )
      .action(async (raw: string) => {
        if (!/^\d{1,15}$/.test(raw))
          throw new AppError(
            "invalid_input",
            `request id "${raw}": expected a positive integer (see: mailsteward inbox held)`,
          );
        const id = Number(raw);
        const result = await withApp(`inbox ${decision}`, (app) =>
          decideHeldUnsubscribe({ ...app, actor: "cli" }, id, decision),
        );
        say(
          result.outcome === "unsubscribed"
            ? `request ${result.id}: contact ${result.contactId} unsubscribed` +
                (result.changed.length ? ` from ${result.changed.join(", ")}` : " (was on no list)")
            : `request ${result.id}: dismissed`,
        );
      });
  }
}
