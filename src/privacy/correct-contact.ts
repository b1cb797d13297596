import { normaliseAddress } from "../consent/address-hash.ts";
import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Clock, Db } from "../types.ts";
import {
  closePrivacyRequest,
  openPrivacyRequest,
  type Verification,
} from "./open-privacy-request.ts";
import { recordAudit } from "./record-audit.ts";

/** The fields a person may have corrected (art. 16). */
export const correctableFields = [
  "email",
  "name",
  "phone",
  "company",
  "jobTitle",
  "industry",
  "companyWebsite",
  "notes",
] as const;
export type CorrectableField = (typeof correctableFields)[number];

/**
 * Corrects contact fields on the person's request. The audit entry says
 * which fields changed; the old and new values are kept only beside the
 * person (contact_corrections), so they are erased with them.
 */
export async function correctContact(
  deps: { db: Db; config: { suppressionKey: string }; clock: Clock },
  input: {
    email: string;
    changes: Partial<Record<string, string | null>>;
    verification: Verification;
    actor: string;
  },
): Promise<{ reference: string; changed: CorrectableField[] }> {
  const unknown = Object.keys(input.changes).filter(
    (k) => !(correctableFields as readonly string[]).includes(k),
  );
  if (unknown.length > 0)
    throw new AppError(
      "invalid_input",
      `cannot correct ${unknown.map((u) => `"${u}"`).join(", ")}; correctable fields: ${correctableFields.join(", ")}`,
    );
  const email = normaliseAddress(input.email);
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const contact = await tx.contact.findUnique({ where: { email } });
    if (!contact) throw new AppError("not_found", `no contact with "${input.email}" is on file`);
    const data: Record<string, string | null> = {};
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of correctableFields) {
      if (!(field in input.changes)) continue;
      let value = input.changes[field] ?? null;
      if (typeof value === "string") value = value.trim() === "" ? null : value.trim();
      if (field === "email") {
        if (value === null || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
          throw new AppError(
            "invalid_input",
            `"${String(value)}" is not an email address; expected name@example.com`,
          );
        value = normaliseAddress(value);
      }
      if (contact[field] === value) continue;
      data[field] = value;
      diff[field] = { from: contact[field], to: value };
    }
    const changed = Object.keys(data) as CorrectableField[];
    const request = await openPrivacyRequest(tx, {
      kind: "correction",
      contactId: contact.id,
      email: contact.email,
      suppressionKey: deps.config.suppressionKey,
      verification: input.verification,
      actor: input.actor,
      now,
    });
    if (changed.length > 0) {
      if (data.email && (await tx.contact.count({ where: { email: data.email } })) > 0)
        throw new AppError(
          "conflict",
          `another contact already has the address "${data.email}"; erase or merge that one first`,
        );
      await tx.contact.update({ where: { id: contact.id }, data, select: { id: true } });
      await tx.contactCorrection.create({
        data: {
          contactId: contact.id,
          requestId: request.id,
          changes: diff as Prisma.InputJsonObject,
          actor: input.actor,
          at: now,
        },
      });
    }
    await recordAudit(tx, {
      actor: input.actor,
      action: "contact.corrected",
      subjectType: "contact",
      subjectId: contact.id,
      detail: { fields: changed, request: request.reference },
    });
    await closePrivacyRequest(tx, {
      id: request.id,
      state: "done",
      now,
      actor: input.actor,
      detail: { fields: changed },
    });
    return { reference: request.reference, changed };
  });
}
