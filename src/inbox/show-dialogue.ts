import { AppError } from "../errors.ts";
import type { Db } from "../types.ts";
import { dialogueSummarySelect, type DialogueSummary } from "./list-dialogues.ts";

export interface DialogueDetail extends DialogueSummary {
  contactEmail: string | null;
  campaignSlug: string | null;
  deliveryId: number | null;
  fromAddress: string | null;
  toAddresses: string[];
  text: string | null;
  removed: string | null;
  attachments: unknown;
  source: {
    mailbox: string | null;
    uidValidity: string | null;
    uid: string | null;
    messageId: string | null;
  };
  /** every record of the same thread, oldest first (this one included) */
  thread: DialogueSummary[];
}

export async function showDialogue(db: Db, id: number): Promise<DialogueDetail> {
  const r = await db.dialogueRecord.findUnique({
    where: { id },
    include: {
      contact: { select: { email: true } },
      campaign: { select: { slug: true } },
    },
  });
  if (!r) throw new AppError("not_found", `no dialogue record ${id}`);
  const thread = r.threadId
    ? await db.dialogueRecord.findMany({
        where: { threadId: r.threadId },
        orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
        take: 500,
        select: dialogueSummarySelect,
      })
    : [];
  return {
    id: r.id,
    kind: r.kind,
    direction: r.direction,
    contactId: r.contactId,
    campaignId: r.campaignId,
    mailbox: r.mailbox,
    subject: r.subject,
    threadId: r.threadId,
    flagged: r.flagged,
    receivedAt: r.receivedAt.toISOString(),
    contactEmail: r.contact?.email ?? null,
    campaignSlug: r.campaign?.slug ?? null,
    deliveryId: r.deliveryId,
    fromAddress: r.fromAddress,
    toAddresses: r.toAddresses,
    text: r.body,
    removed: r.removed,
    attachments: r.attachments,
    source: {
      mailbox: r.mailbox,
      uidValidity: r.sourceUidValidity === null ? null : String(r.sourceUidValidity),
      uid: r.sourceUid === null ? null : String(r.sourceUid),
      messageId: r.messageId,
    },
    thread: thread.map((t) => ({ ...t, receivedAt: t.receivedAt.toISOString() })),
  };
}
