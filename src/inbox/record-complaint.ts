/**
 * An ARF feedback report (RFC 5965): the person marked our mail as spam.
 * They are unsubscribed from everything (with the consent-ledger entry) and
 * the address suppressed; a complaint is never a dialogue record and never
 * counts as contact.
 */
import { suppressAddress } from "../consent/suppress-address.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Clock, Db } from "../types.ts";
import { unsubscribeContacts } from "../unsubscribe/unsubscribe-contact.ts";

type Tx = Prisma.TransactionClient;

export async function recordComplaint(
  tx: Tx,
  deps: { suppressionKey: string; clock: Clock },
  input: {
    contactId: number | null;
    address: string | null;
    feedbackType: string | null;
    inboundMessageId: number;
  },
): Promise<{ unsubscribed: string[]; suppressed: boolean }> {
  let unsubscribed: string[] = [];
  if (input.contactId !== null) {
    // the one-statement unsubscribe runs on the transaction's connection
    const [result] = await unsubscribeContacts({ db: tx as unknown as Db, clock: deps.clock }, [
      {
        contactId: input.contactId,
        list: null,
        source: "complaint",
        evidence: {
          method: "arf",
          feedbackType: input.feedbackType,
          inboundMessageId: input.inboundMessageId,
        },
      },
    ]);
    unsubscribed = result?.changed ?? [];
  }
  let suppressed = false;
  if (input.address) {
    suppressed = (
      await suppressAddress(tx, deps.suppressionKey, {
        address: input.address,
        reason: "complaint",
        detail: input.feedbackType ?? "abuse",
        actor: "worker",
      })
    ).created;
  }
  return { unsubscribed, suppressed };
}
