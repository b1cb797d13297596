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
  const anyDialogue = (await db.dialogueRecord.findFirst({ select: { id: true } })) !== null;
  return {
    active: customerSet.size > 0 || anyDialogue,
    isCustomerAddress: (address) => customerSet.has(address.trim().toLowerCase()),
    async linkedMessageIds(messageIds) {
      const linked = new Set<string>();
      if (!anyDialogue) return linked;
      for (let i = 0; i < messageIds.length; i += 1000) {
        const chunk = messageIds.slice(i, i + 1000);
        const bare = chunk.map(normaliseMessageId);
        const forms = [...new Set([...bare, ...bare.map((m) => `<${m}>`)])];
        const rows = await db.dialogueRecord.findMany({
          where: { OR: [{ messageId: { in: forms } }, { inReplyTo: { in: forms } }] },
          select: { messageId: true, inReplyTo: true },
        });
        const hits = new Set<string>();
        for (const r of rows) {
          if (r.messageId) hits.add(normaliseMessageId(r.messageId));
          if (r.inReplyTo) hits.add(normaliseMessageId(r.inReplyTo));
        }
        for (const id of chunk) if (hits.has(normaliseMessageId(id))) linked.add(id);
      }
      return linked;
    },
  };
}
