import { normaliseAddress } from "../consent/address-hash.ts";
import { AppError } from "../errors.ts";
import type { Db } from "../types.ts";
import { recordAudit } from "./record-audit.ts";

/** Links contacts to a partner (made if new), or unlinks them; addresses not on file are reported, not created. */
export async function linkPartner(
  deps: { db: Db },
  input: { partner: string; emails: string[]; unlink?: boolean; actor: string },
): Promise<{ partnerId: number; changed: number; unknown: string[] }> {
  const name = input.partner.trim();
  if (name === "")
    throw new AppError(
      "invalid_input",
      'partner name is empty; expected e.g. --partner "Reseller AS"',
    );
  const emails = input.emails.map(normaliseAddress);
  return deps.db.$transaction(async (tx) => {
    const partner = await tx.partner.upsert({
      where: { name },
      create: { name },
      update: {},
      select: { id: true },
    });
    const contacts = await tx.contact.findMany({
      where: { email: { in: emails } },
      select: { id: true, email: true },
    });
    const known = new Set(contacts.map((c) => c.email));
    const ids = contacts.map((c) => c.id);
    const changed = input.unlink
      ? (
          await tx.contactPartner.deleteMany({
            where: { partnerId: partner.id, contactId: { in: ids } },
          })
        ).count
      : (
          await tx.contactPartner.createMany({
            data: ids.map((contactId) => ({ contactId, partnerId: partner.id })),
            skipDuplicates: true,
          })
        ).count;
    await recordAudit(tx, {
      actor: input.actor,
      action: input.unlink ? "partner.unlinked" : "partner.linked",
      subjectType: "partner",
      subjectId: partner.id,
      detail: { contactIds: ids, changed },
    });
    return { partnerId: partner.id, changed, unknown: emails.filter((e) => !known.has(e)) };
  });
}
