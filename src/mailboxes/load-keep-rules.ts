import type { Db } from "../types.ts";

/**
 * What the cleanup always keeps beyond flags and folders: messages linked to a
 * dialogue record (by Message-ID: the record's own, or the message it answered)
 * and messages to or from a contact whose customer relationship is open
 * (customer or prospect; "former" and "none" are not).
 */
export interface KeepRules {
  /** false when no dialogue record and no open customer exists: envelopes need not be fetched */
  readonly active: boolean;
  isCustomerAddress(address: string): boolean;
  /** the subset of the given Message-IDs (as in the header, with or without <>) that are linked */
  linkedMessageIds(messageIds: readonly string[]): Promise<Set<string>>;
}

export const openCustomerStatuses = ["customer", "prospect"] as const;

export function normaliseMessageId(id: string): string {
  return id.trim().replace(/^<|>$/g, "");
}

export async function loadKeepRules(db: Db): Promise<KeepRules> {
  const customers = await db.contact.findMany({
    where: { customerStatus: { in: [...openCustomerStatuses] } },
    select: { email: true },
  });
  const customerSet = new Set(customers.map((c) => c.email.toLowerCase()));
  const linked = await dialogueMessageIds(db);
  return {
    active: customerSet.size > 0 || linked.size > 0,
    isCustomerAddress: (address) => customerSet.has(address.trim().toLowerCase()),
    linkedMessageIds: async (messageIds) =>
      new Set(messageIds.filter((id) => linked.has(normaliseMessageId(id)))),
  };
}

/**
 * Every Message-ID a dialogue record refers to, its own and the one it
 * answered, loaded once per run. Raw SQL because it is one column pair of a
 * possibly large table: Prisma's row mapping cost more than the query, and a
 * per-batch `IN (...)` of thousands of ids cost seconds of client CPU per
 * 50,000 messages.
 */
async function dialogueMessageIds(db: Db): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT message_id AS id FROM dialogue_records WHERE message_id IS NOT NULL
    UNION
    SELECT in_reply_to AS id FROM dialogue_records WHERE in_reply_to IS NOT NULL`;
  return new Set(rows.map((r) => normaliseMessageId(r.id)));
}
