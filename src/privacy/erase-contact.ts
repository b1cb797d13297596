import { normaliseAddress } from "../consent/address-hash.ts";
import { AppError } from "../errors.ts";
import type { Clock, Db, Logger } from "../types.ts";
import { eraseContacts } from "./erase-contacts.ts";
import {
  closePrivacyRequest,
  openPrivacyRequest,
  type Verification,
} from "./open-privacy-request.ts";

export interface EraseContactInput {
  /** the address, or the contact's id */
  contact: { email: string } | { id: number };
  /** erasure: art. 17 request; withdrawal: consent withdrawn, which the statement says deletes the data */
  kind: "erasure" | "withdrawal";
  verification: Verification;
  actor: string;
  /** where the request came from: cli, api, preference-centre */
  source: string;
}

export interface EraseContactResult {
  reference: string;
  addressHash: string;
}

/**
 * Erases one person on their request (or on withdrawal of consent): the
 * request is recorded first with its deadline, then the person goes from every
 * table in one transaction (eraseContacts), leaving the keyed hash in
 * suppression, and the request is closed. Unknown addresses are `not_found`:
 * nothing is held, so there is nothing to erase.
 */
export async function eraseContact(
  deps: { db: Db; config: { suppressionKey: string }; clock: Clock; log: Logger },
  input: EraseContactInput,
): Promise<EraseContactResult> {
  const contact =
    "email" in input.contact
      ? await deps.db.contact.findUnique({
          where: { email: normaliseAddress(input.contact.email) },
          select: { id: true, email: true },
        })
      : await deps.db.contact.findUnique({
          where: { id: input.contact.id },
          select: { id: true, email: true },
        });
  if (!contact) {
    const what = "email" in input.contact ? `"${input.contact.email}"` : `id ${input.contact.id}`;
    throw new AppError(
      "not_found",
      `no contact with ${what} is on file; nothing is held, so nothing needs erasing`,
    );
  }
  const now = deps.clock.now();
  const request = await openPrivacyRequest(deps.db, {
    kind: input.kind,
    contactId: contact.id,
    email: contact.email,
    suppressionKey: deps.config.suppressionKey,
    verification: input.verification,
    actor: input.actor,
    now,
    detail: { source: input.source },
  });
  const [erased] = await eraseContacts(deps, {
    erasures: [
      {
        contactId: contact.id,
        why: { reason: input.kind, request: request.reference, source: input.source },
      },
    ],
    actor: input.actor,
  });
  if (!erased)
    throw new AppError(
      "conflict",
      `contact ${contact.id} was erased by another request meanwhile; request ${request.reference} stays open`,
    );
  await closePrivacyRequest(deps.db, {
    id: request.id,
    state: "done",
    now: deps.clock.now(),
    actor: input.actor,
    detail: { source: input.source, erasedAt: deps.clock.now().toISOString() },
  });
  deps.log.info("contact erased", { request: request.reference, kind: input.kind });
  return { reference: request.reference, addressHash: erased.addressHash };
}
