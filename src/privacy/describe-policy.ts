import type { Config } from "../config/load-config.ts";

const years = (months: number) =>
  months % 12 === 0
    ? `${months / 12} year${months === 12 ? "" : "s"}`
    : `${months} month${months === 1 ? "" : "s"}`;

/**
 * What the configured policy does, in the words of a privacy statement, so the
 * privacy officer can hold it against the published one. Built from the same
 * configuration the retention job reads.
 */
export function describePolicy(
  config: Pick<Config, "privacy" | "cleanup">,
  facts: { activeMailboxes: number | null } = { activeMailboxes: null },
): string[] {
  const r = config.privacy.retention;
  const c = config.cleanup;
  const folders = (list: string[]) => (list.length > 0 ? list.join(", ") : "none");
  return [
    "Retention (applied every day by the privacy.retention job):",
    `  - Active dialogue: a contact's data is kept ${years(r.dialogueMonths)} from the last contact (a reply, an email from an employee, a form, a download, a call or meeting registered with "mailsteward contacts touch"), then deleted.`,
    `  - Newsletter subscribers: kept while subscribed to any newsletter; after unsubscribing, kept ${years(r.unsubscribedMonths)}, then deleted.`,
    "  - Customers: kept while the customer relationship is active; when it ends, the two rules above apply from the date it ended.",
    "  - A contact whom no rule covers any more is erased with everything attached: subscriptions, the consent ledger, deliveries, dialogue records, contact events, partner links.",
    "",
    "Withdrawal and erasure:",
    '  - Withdrawing consent (the "delete my data" page, "mailsteward privacy withdraw", the admin API) erases the person, not just unsubscribes them.',
    "  - After erasure only a keyed hash (HMAC) of the address is kept, in the suppression list, so that an old list cannot add the person again; their own confirmed sign-up lifts it.",
    "  - Every request (export, correction, erasure, withdrawal) is recorded with a deadline of one month.",
    "",
    "Employees' mailboxes:",
    `  - Cleaned yearly (schedule "${c.schedule}"): mail older than ${years(c.olderThanMonths)} in ${folders(c.folders)} is listed in a review digest to the employee and deleted ${c.graceDays} days later (${c.deleteMode === "trash" ? "moved to Trash, then expunged" : "expunged by UID"}); never touched: ${folders(c.keepFolders)}.`,
    facts.activeMailboxes === null
      ? "  - Mailboxes in the directory: see mailsteward employees list."
      : `  - Mailboxes in the directory that the cleanup covers: ${facts.activeMailboxes}.`,
    "",
    "Sharing with partners:",
    '  - Only name, email, phone and company, of contacts linked to that partner ("mailsteward privacy partner-export"); each disclosure is recorded.',
    "",
    "Audit log:",
    config.privacy.auditMonths > 0
      ? `  - Kept ${years(config.privacy.auditMonths)}, then deleted; it holds ids and keyed hashes, never addresses or message bodies.`
      : "  - Kept for ever; it holds ids and keyed hashes, never addresses or message bodies.",
  ];
}
