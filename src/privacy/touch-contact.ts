import { normaliseAddress } from "../consent/address-hash.ts";
import { AppError } from "../errors.ts";
import type { Clock, Db } from "../types.ts";
import { recordAudit } from "./record-audit.ts";

/** Ways of contact registered by hand; replies, forms and employees' emails are recorded by their own paths. */
export const touchVias = ["phone", "meeting", "download", "email", "form"] as const;
export type TouchVia = (typeof touchVias)[number];

/**
 * Registers a contact that happened outside the mail flow (a call, a meeting,
 * a download): a contact event, and Contact.lastContactAt moved forward, which
 * restarts the active-dialogue retention clock. An event dated before the
 * last contact already on file is kept but moves nothing. The note stays with
 * the event (and is erased with the person); the audit entry names only the way.
 */
export async function touchContact(
  deps: { db: Db; clock: Clock },
  input: { email: string; via: string; note?: string | null; at?: Date; actor: string },
): Promise<{ contactId: number; eventId: number; lastContactAt: Date; moved: boolean }> {
  if (!(touchVias as readonly string[]).includes(input.via))
    throw new AppError(
      "invalid_input",
      `contact way "${input.via}" is not known; expected one of ${touchVias.join(", ")}`,
    );
  const now = deps.clock.now();
  const at = input.at ?? now;
  if (Number.isNaN(at.getTime()) || at.getTime() > now.getTime() + 60_000)
    throw new AppError(
      "invalid_input",
      `the contact's date ${String(input.at?.toISOString?.() ?? input.at)} is in the future or not a date; expected a past date such as 2026-11-30`,
    );
  const email = normaliseAddress(input.email);
  return deps.db.$transaction(async (tx) => {
    const contact = await tx.contact.findUnique({
      where: { email },
      select: { id: true, lastContactAt: true },
    });
    if (!contact) throw new AppError("not_found", `no contact with "${input.email}" is on file`);
    const event = await tx.contactEvent.create({
      data: {
        contactId: contact.id,
        via: input.via,
        note: input.note?.trim() || null,
        actor: input.actor,
        occurredAt: at,
      },
      select: { id: true },
    });
    const moved = contact.lastContactAt === null || at > contact.lastContactAt;
    const lastContactAt = moved ? at : contact.lastContactAt!;
    if (moved)
      await tx.contact.update({
        where: { id: contact.id },
        data: { lastContactAt },
        select: { id: true },
      });
    await recordAudit(tx, {
      actor: input.actor,
      action: "contact.touched",
      subjectType: "contact",
      subjectId: contact.id,
      detail: { via: input.via, eventId: event.id, at: at.toISOString(), moved },
    });
    return { contactId: contact.id, eventId: event.id, lastContactAt, moved };
  });
}
