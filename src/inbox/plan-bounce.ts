/**
 * What a DSN changes, per failed recipient (RFC 3464 §2.3):
 * - hard (the address or its domain is gone): suppressed at once, and the
 *   delivery it reports on marked `bounced`;
 * - soft (may work later): counted; suppressed once SOFT_BOUNCE_LIMIT of them
 *   fall within SOFT_BOUNCE_WINDOW_DAYS. An Action of `delayed` is a warning
 *   that the MTA is still trying (RFC 3464 §2.3.3), so it is not counted;
 * - policy (the rejection blames our side: blocklisted IP, content, DMARC)
 *   and unknown: recorded, never suppressed: suppressing would punish the
 *   recipient for the sender's problem.
 * Every recipient gets a bounce event (keyed by address hash, no address).
 *
 * Pure: this plans the writes for one DSN; record-effects.ts gathers the plans
 * of a whole batch into a few statements. `softCounts` holds, per address hash,
 * the soft bounces already in the window (from the database, plus those planned
 * earlier in the batch) and is advanced here, so the count is what it would be
 * had each DSN been recorded on its own, in order.
 */
import { hashAddress } from "../consent/address-hash.ts";
import type { BounceRecipient } from "./inbox-types.ts";
import type { DeliveryRef } from "./load-batch-context.ts";

export interface BounceDeps {
  suppressionKey: string;
  softBounceLimit: number;
  softBounceWindowDays: number;
}

export interface BounceEventRow {
  addressHash: string;
  verdict: string;
  status: string | null;
  action: string | null;
  deliveryId: number | null;
  inboundMessageId: number;
}

export interface SuppressRequest {
  addressHash: string;
  reason: "hard_bounce" | "soft_bounce" | "complaint";
  detail: string;
}

export interface BouncePlan {
  events: BounceEventRow[];
  suppress: SuppressRequest[];
  bounceDeliveries: Array<{ id: number; response: string }>;
  verdicts: string[];
}

interface PlannedRecipient {
  address: string;
  addressHash: string;
  recipient: BounceRecipient;
  verdict: string;
  delivery: DeliveryRef | null;
}

/** The recipients a DSN reports on, each with its hash, its verdict and its delivery. */
export function bounceRecipients(
  suppressionKey: string,
  input: { recipients: BounceRecipient[]; delivery: DeliveryRef | null },
): PlannedRecipient[] {
  // A DSN that names no recipient but came back to a VERP address or quotes our Message-ID
  // still reports on that delivery; without a verdict it stays "unknown".
  const recipients: BounceRecipient[] =
    input.recipients.length > 0 || !input.delivery
      ? input.recipients
      : [
          {
            address: input.delivery.contactEmail,
            status: null,
            action: null,
            verdict: "unknown",
            diagnostic: null,
          },
        ];
  const out: PlannedRecipient[] = [];
  for (const r of recipients) {
    const address = (r.address || input.delivery?.contactEmail || "").trim().toLowerCase();
    if (!address) continue;
    const delayed = (r.action ?? "").toLowerCase() === "delayed";
    // The delivery is this recipient's when the DSN matched it and names its address, or names no other.
    const delivery =
      input.delivery && (recipients.length === 1 || input.delivery.contactEmail === address)
        ? input.delivery
        : null;
    out.push({
      address,
      addressHash: hashAddress(suppressionKey, address),
      recipient: r,
      verdict: delayed ? "delayed" : r.verdict,
      delivery,
    });
  }
  return out;
}

export function planBounce(
  deps: BounceDeps,
  input: { recipients: BounceRecipient[]; delivery: DeliveryRef | null; inboundMessageId: number },
  softCounts: Map<string, number>,
): BouncePlan {
  const plan: BouncePlan = { events: [], suppress: [], bounceDeliveries: [], verdicts: [] };
  for (const p of bounceRecipients(deps.suppressionKey, input)) {
    const r = p.recipient;
    plan.verdicts.push(p.verdict);
    plan.events.push({
      addressHash: p.addressHash,
      verdict: p.verdict,
      status: r.status,
      action: r.action,
      deliveryId: p.delivery?.id ?? null,
      inboundMessageId: input.inboundMessageId,
    });
    if (p.verdict === "hard") {
      plan.suppress.push({
        addressHash: p.addressHash,
        reason: "hard_bounce",
        detail: `${r.status ?? "no status"} ${r.diagnostic ?? ""}`.trim().slice(0, 500),
      });
      if (p.delivery)
        plan.bounceDeliveries.push({
          id: p.delivery.id,
          response: `bounced: ${r.status ?? ""} ${r.diagnostic ?? ""}`.trim().slice(0, 1000),
        });
    } else if (p.verdict === "soft") {
      const soft = (softCounts.get(p.addressHash) ?? 0) + 1;
      softCounts.set(p.addressHash, soft);
      if (soft >= deps.softBounceLimit)
        plan.suppress.push({
          addressHash: p.addressHash,
          reason: "soft_bounce",
          detail: `${soft} soft bounces within ${deps.softBounceWindowDays} days; last ${r.status ?? "no status"}`,
        });
    }
  }
  return plan;
}
