import type { DialogueKind } from "../generated/prisma/client.ts";
import { AppError } from "../errors.ts";
import type { Db } from "../types.ts";

export const dialogueKinds: readonly DialogueKind[] = [
  "reply",
  "auto_reply",
  "bounce",
  "complaint",
  "unsubscribe",
  "other",
];

export interface DialogueSummary {
  id: number;
  kind: DialogueKind;
  direction: "in" | "out";
  contactId: number | null;
  campaignId: number | null;
  mailbox: string | null;
  subject: string | null;
  threadId: string | null;
  flagged: boolean;
  receivedAt: string;
}

/** Newest first; `contact` is an address, `kind` one of dialogueKinds. */
/** The columns of a dialogue record in a list or a thread (no text, no addresses). */
export const dialogueSummarySelect = {
  id: true,
  kind: true,
  direction: true,
  contactId: true,
  campaignId: true,
  mailbox: true,
  subject: true,
  threadId: true,
  flagged: true,
  receivedAt: true,
} as const;

export async function listDialogues(
  db: Db,
  filter: { contact?: string | undefined; kind?: string | undefined; limit?: number | undefined },
): Promise<DialogueSummary[]> {
  if (filter.kind !== undefined && !dialogueKinds.includes(filter.kind as DialogueKind))
    throw new AppError(
      "invalid_input",
      `unknown kind "${filter.kind}"; known kinds: ${dialogueKinds.join(", ")}`,
    );
  let contactId: number | undefined;
  if (filter.contact !== undefined) {
    const email = filter.contact.trim().toLowerCase();
    const contact = await db.contact.findUnique({ where: { email }, select: { id: true } });
    if (!contact) throw new AppError("not_found", `no contact with the address "${email}"`);
    contactId = contact.id;
  }
  const rows = await db.dialogueRecord.findMany({
    where: {
      ...(contactId !== undefined ? { contactId } : {}),
      ...(filter.kind !== undefined ? { kind: filter.kind as DialogueKind } : {}),
    },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: Math.min(filter.limit ?? 100, 1000),
    select: dialogueSummarySelect,
  });
  return rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() }));
}
