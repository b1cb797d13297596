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
 */
import { hashAddress } from "../consent/address-hash.ts";
import { suppressAddress } from "../consent/suppress-address.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { BounceRecipient } from "./inbox-types.ts";
import type { DeliveryRef } from "./load-batch-context.ts";

type Tx = Prisma.TransactionClient;

export interface BounceDeps {
  suppressionKey: string;
  softBounceLimit: number;
  softBounceWindowDays: number;
  now: Date;
}

export interface BounceOutcome {
  suppressed: number;
  bouncedDelivery: boolean;
  verdicts: string[];
}

export async function recordBounce(
  tx: Tx,
  deps: BounceDeps,
  input: { recipients: BounceRecipient[]; delivery: DeliveryRef | null; inboundMessageId: number },
): Promise<BounceOutcome> {
  const outcome: BounceOutcome = { suppressed: 0, bouncedDelivery: false, verdicts: [] };
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
  for (const r of recipients) {
    const address = (r.address || input.delivery?.contactEmail || "").trim().toLowerCase();
    if (!address) continue;
    const delayed = (r.action ?? "").toLowerCase() === "delayed";
    const verdict = delayed ? "delayed" : r.verdict;
    outcome.verdicts.push(verdict);
    const addressHash = hashAddress(deps.suppressionKey, address);
    // The delivery is this recipient's when the DSN matched it and names its address, or names no other.
    const delivery =
      input.delivery && (recipients.length === 1 || input.delivery.contactEmail === address)
        ? input.delivery
        : null;
    await tx.bounceEvent.create({
      data: {
        addressHash,
        verdict,
        status: r.status,
        action: r.action,
        deliveryId: delivery?.id ?? null,
        inboundMessageId: input.inboundMessageId,
        occurredAt: deps.now,
      },
      select: { id: true },
    });
    if (verdict === "hard") {
      const { created } = await suppressAddress(tx, deps.suppressionKey, {
        address,
        reason: "hard_bounce",
        detail: `${r.status ?? "no status"} ${r.diagnostic ?? ""}`.trim().slice(0, 500),
        actor: "worker",
      });
      if (created) outcome.suppressed++;
      if (delivery) {
        const { count } = await tx.delivery.updateMany({
          where: { id: delivery.id, status: { not: "bounced" } },
          data: {
            status: "bounced",
            bouncedAt: deps.now,
            response: `bounced: ${r.status ?? ""} ${r.diagnostic ?? ""}`.trim().slice(0, 1000),
          },
        });
        if (count > 0) outcome.bouncedDelivery = true;
      }
    } else if (verdict === "soft") {
      const since = new Date(deps.now.getTime() - deps.softBounceWindowDays * 86_400_000);
      const soft = await tx.bounceEvent.count({
        where: { addressHash, verdict: "soft", occurredAt: { gte: since } },
      });
      if (soft >= deps.softBounceLimit) {
        const { created } = await suppressAddress(tx, deps.suppressionKey, {
          address,
          reason: "soft_bounce",
          detail: `${soft} soft bounces within ${deps.softBounceWindowDays} days; last ${r.status ?? "no status"}`,
          actor: "worker",
        });
        if (created) outcome.suppressed++;
      }
    }
  }
  return outcome;
}
