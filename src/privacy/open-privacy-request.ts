import crypto from "node:crypto";
import { hashAddress } from "../consent/address-hash.ts";
import type {
  Prisma,
  PrivacyRequestKind,
  PrivacyRequestState,
} from "../generated/prisma/client.ts";
import { addMonths } from "./add-months.ts";
import { recordAudit, type DbOrTx } from "./record-audit.ts";

/** GDPR art. 12(3): an answer "within one month of receipt of the request". */
export const REQUEST_DEADLINE_MONTHS = 1;

export interface Verification {
  /** how the requester was verified: "signed-letter", "email-from-address", "signed-link", ... */
  method: string;
  /** where the proof is kept (a document number); never the document itself */
  reference?: string | null;
}

export interface OpenedRequest {
  id: number;
  reference: string;
  dueAt: Date;
}

/**
 * Records a data-subject request with its deadline, before anything is done
 * about it: a request that fails half-way stays visible as `received` in
 * `mailsteward privacy requests`. Holds the keyed hash, never the address.
 */
export async function openPrivacyRequest(
  db: DbOrTx,
  input: {
    kind: PrivacyRequestKind;
    contactId: number | null;
    email: string;
    suppressionKey: string;
    verification: Verification;
    actor: string;
    now: Date;
    state?: PrivacyRequestState;
    detail?: Prisma.InputJsonObject;
  },
): Promise<OpenedRequest> {
  const method = input.verification.method.trim();
  if (method === "") throw new Error("openPrivacyRequest: a verification method is required");
  const stamp = input.now.toISOString().slice(0, 10).replace(/-/g, "");
  const reference = `DSR-${stamp}-${crypto.randomBytes(3).toString("hex").toUpperCase()}`;
  const dueAt = addMonths(input.now, REQUEST_DEADLINE_MONTHS);
  const row = await db.privacyRequest.create({
    data: {
      reference,
      kind: input.kind,
      state: input.state ?? "received",
      contactId: input.contactId,
      addressHash: hashAddress(input.suppressionKey, input.email),
      verificationMethod: method,
      verificationReference: input.verification.reference?.trim() || null,
      actor: input.actor,
      receivedAt: input.now,
      dueAt,
      completedAt: input.state === "done" ? input.now : null,
      detail: input.detail ?? {},
    },
    select: { id: true },
  });
  await recordAudit(db, {
    actor: input.actor,
    action: "privacy.request_received",
    subjectType: "privacy_request",
    subjectId: row.id,
    detail: { reference, kind: input.kind, verificationMethod: method, dueAt: dueAt.toISOString() },
  });
  return { id: row.id, reference, dueAt };
}

/** Marks a request done (or refused), with counts or field names in `detail`. */
export async function closePrivacyRequest(
  db: DbOrTx,
  input: {
    id: number;
    state: "done" | "refused";
    now: Date;
    actor: string;
    detail?: Prisma.InputJsonObject;
  },
): Promise<void> {
  const row = await db.privacyRequest.update({
    where: { id: input.id },
    data: {
      state: input.state,
      completedAt: input.now,
      ...(input.detail ? { detail: input.detail } : {}),
    },
    select: { reference: true, kind: true },
  });
  await recordAudit(db, {
    actor: input.actor,
    action: `privacy.request_${input.state}`,
    subjectType: "privacy_request",
    subjectId: input.id,
    detail: { reference: row.reference, kind: row.kind },
  });
}
