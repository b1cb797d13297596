import type { Command } from "commander";
import { AppError } from "../errors.ts";
import { showDialogue } from "../inbox/show-dialogue.ts";
import { dialogueGroup } from "./dialogue-list.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  dialogueGroup(program)
    .command("show")
    .argument("<id>", "the dialogue record")
    .description("one dialogue record: text, what trimming removed, attachments, source, thread")
    .option("--json", "print JSON")
    .action(async (idText: string, opts: { json?: boolean }) => {
      const id = Number(idText);
      if (!Number.isSafeInteger(id) || id <= 0)
        throw new AppError("invalid_input", `dialogue id "${idText}": expected a positive integer`);
      const d = await withApp("dialogue show", (app) => showDialogue(app.db, id));
      if (opts.json) return say(JSON.stringify(d, null, 2));
      say(
        `dialogue ${d.id}: ${d.kind}, ${d.direction === "in" ? "incoming" : "outgoing"}, ${d.receivedAt}${d.flagged ? ", FLAGGED (sensitive data redacted)" : ""}`,
      );
      say(
        `  contact: ${d.contactEmail ?? "-"} (${d.contactId ?? "no contact"}), campaign: ${d.campaignSlug ?? "-"}`,
      );
      say(`  from: ${d.fromAddress ?? "-"}  to: ${d.toAddresses.join(", ") || "-"}`);
      say(`  subject: ${d.subject ?? ""}`);
      say(
        `  source: mailbox ${d.source.mailbox ?? "-"}, UIDVALIDITY ${d.source.uidValidity ?? "-"}, UID ${d.source.uid ?? "-"}, Message-ID <${d.source.messageId ?? ""}>`,
      );
      const attachments = Array.isArray(d.attachments)
        ? (d.attachments as Array<{ filename: string | null; contentType: string; size: number }>)
        : [];
      for (const a of attachments)
        say(`  attachment: ${a.filename ?? "(unnamed)"} ${a.contentType} ${a.size} bytes`);
      say("");
      say(d.text ?? "");
      if (d.removed) {
        say("");
        say("--- removed (quoted history, signature) ---");
        say(d.removed);
      }
      if (d.thread.length > 1) {
        say("");
        say(`thread ${d.threadId} (${d.thread.length} records):`);
        for (const t of d.thread)
          say(
            `  ${t.id === d.id ? "*" : " "} ${t.id}  ${t.receivedAt}  ${t.direction}  ${t.kind}  ${t.subject ?? ""}`,
          );
      }
    });
}
