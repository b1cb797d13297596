/**
 * An operator's decision on a mailed unsubscribe request that was held: a
 * message to the bare unsubscribe@ address, without a signed token, whose From
 * line names a known contact (record-effects.ts). From can be forged, so the
 * watcher changed nothing; a person who has checked with the contact confirms
 * (the contact leaves every list, with the consent-ledger entry pointing at
 * the message as evidence and at the operator who confirmed) or dismisses it.
 *
 * Exactly once: the held flag is cleared by a guarded UPDATE inside the same
 * transaction as the unsubscribe, so two operators deciding at once (or a
 * retried request) cannot both act; the later one is told what was decided.
 */
import { AppError } from "../errors.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { txSql } from "../adapters/sql-of.ts";
import { unsubscribeContacts } from "../unsubscribe/unsubscribe-contact.ts";

export type HeldDecision = "confirm" | "dismiss";

export interface HeldDecisionResult {
  id: number;
  outcome: "unsubscribed" | "dismissed";
  contactId: number | null;
  /** the lists the contact left (confirm only; empty when already unsubscribed) */
  changed: string[];
}

export async function decideHeldUnsubscribe(
  deps: { db: Db; clock: Clock; actor: string },
  id: number,
  decision: HeldDecision,
): Promise<HeldDecisionResult> {
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new AppError("invalid_input", `request id "${id}": expected a positive integer`);
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const message = await tx.inboundMessage.findUnique({
      where: { id },
      select: { id: true, held: true, outcome: true, contactId: true, kind: true, mailbox: true },
    });
    if (!message || message.kind !== "unsubscribe")
      throw new AppError("not_found", `no mailed unsubscribe request ${id}`);
    if (!message.held)
      throw new AppError(
        "conflict",
        `unsubscribe request ${id} is not waiting for a decision (its outcome is "${message.outcome}")`,
      );
    if (decision === "confirm" && message.contactId === null)
      throw new AppError(
        "conflict",
        `unsubscribe request ${id} has no contact any more (erased?); dismiss it instead`,
      );
    const outcome = decision === "confirm" ? "unsubscribed" : "dismissed";
    const settled = await tx.inboundMessage.updateMany({
      where: { id, held: true },
      data: { held: false, outcome },
    });
    if (settled.count !== 1)
      throw new AppError("conflict", `unsubscribe request ${id} was decided meanwhile`);
    let changed: string[] = [];
    if (decision === "confirm") {
      // the one-statement unsubscribe on the transaction's connection: it commits with the flag
      const [result] = await unsubscribeContacts({ sql: txSql(tx), clock: deps.clock }, [
        {
          contactId: message.contactId!,
          list: null,
          source: "mailto",
          evidence: {
            method: "mailto-confirmed",
            inboundMessageId: message.id,
            mailbox: message.mailbox,
            confirmedBy: deps.actor,
            at: now.toISOString(),
          },
        },
      ]);
      changed = result!.changed;
    }
    await recordAudit(tx, {
      actor: deps.actor,
      action:
        decision === "confirm" ? "inbox.unsubscribe_confirmed" : "inbox.unsubscribe_dismissed",
      subjectType: "inbound_message",
      subjectId: message.id,
      detail: { contactId: message.contactId, lists: changed },
    });
    return { id: message.id, outcome, contactId: message.contactId, changed };
  });
}
