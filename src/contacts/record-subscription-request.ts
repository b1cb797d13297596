/**
 * Double opt-in, step zero: what the form handler does, and all it does.
 * One insert, whoever the address belongs to: looking the person up here
 * (subscribed? suppressed? asked a moment ago?) would make the answer's
 * timing say what the page does not. The job that processes the row
 * (processSubscriptionRequest) does the lookups and the mailing.
 */
import type { Prisma } from "../generated/prisma/client.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";
import type { Clock } from "../types.ts";
import { requireEmail, requireName } from "./upsert-contact.ts";

export interface SubscriptionRequestInput {
  email: string;
  /** what the form said; never put in the confirmation email, applied only after confirmation */
  name?: string | null;
  /** list slugs, already checked to exist (and, from the public form, to be public) */
  lists: string[];
  evidence: Prisma.InputJsonObject;
  /** the contact, when the request comes from one (the preference centre) */
  contactId?: number;
  /** the sign-up page's language: the confirmation mail's, and the new contact's */
  language?: string;
}

export async function recordSubscriptionRequest(
  deps: { db: DbOrTx; clock: Clock },
  input: SubscriptionRequestInput,
): Promise<{ requestId: number }> {
  const email = requireEmail(input.email);
  const name = requireName(input.name);
  const row = await deps.db.subscriptionRequest.create({
    data: {
      email,
      name,
      lists: [...new Set(input.lists)].sort(),
      evidence: input.evidence,
      requestedAt: deps.clock.now(),
      ...(input.language !== undefined ? { language: input.language } : {}),
      ...(input.contactId !== undefined ? { contactId: input.contactId } : {}),
    },
    select: { id: true },
  });
  return { requestId: row.id };
}
