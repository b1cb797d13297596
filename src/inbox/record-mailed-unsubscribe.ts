/**
 * A message to the unsubscribe address (RFC 2369 mailto List-Unsubscribe).
 * Only the signed token in `unsubscribe+TOKEN@` proves who asked: From can
 * be forged. With a valid token the unsubscribe is applied like a one-click
 * one (consent ledger, audit); no reply is sent and no dialogue record made.
 * With no token, a message from a known contact's own address is held for an
 * operator to confirm; anything else is ignored.
 */
import type { SigningKey } from "../config/signing-keys.ts";
import { isAppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Clock, Db } from "../types.ts";
import { unsubscribeContacts } from "../unsubscribe/unsubscribe-contact.ts";
import { verifyToken } from "../unsubscribe/tokens.ts";

type Tx = Prisma.TransactionClient;

export type MailedUnsubscribeOutcome =
  | { outcome: "unsubscribed"; contactId: number; changed: string[] }
  | { outcome: "held"; contactId: number }
  | { outcome: "invalid_token" | "unknown_contact" | "ignored"; contactId: null };

export async function recordMailedUnsubscribe(
  tx: Tx,
  deps: { signingKeys: SigningKey[]; clock: Clock },
  input: { token: string | null; senderContactId: number | null; inboundMessageId: number },
): Promise<MailedUnsubscribeOutcome> {
  if (!input.token) {
    return input.senderContactId !== null
      ? { outcome: "held", contactId: input.senderContactId }
      : { outcome: "ignored", contactId: null };
  }
  let scope;
  try {
    scope = verifyToken(deps.signingKeys, input.token, "unsubscribe");
  } catch (error) {
    if (isAppError(error, "invalid_token")) return { outcome: "invalid_token", contactId: null };
    throw error;
  }
  const exists = await tx.contact.findUnique({
    where: { id: scope.contactId },
    select: { id: true },
  });
  if (!exists) return { outcome: "unknown_contact", contactId: null };
  const [result] = await unsubscribeContacts({ db: tx as unknown as Db, clock: deps.clock }, [
    {
      contactId: scope.contactId,
      list: scope.list,
      source: "mailto",
      evidence: { method: "mailto", inboundMessageId: input.inboundMessageId },
    },
  ]);
  return { outcome: "unsubscribed", contactId: scope.contactId, changed: result?.changed ?? [] };
}
