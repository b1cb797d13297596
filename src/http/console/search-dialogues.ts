/**
 * Dialogue records for the console's list, with every filter the page
 * offers (listDialogues in src/inbox/ serves the CLI and the API with two).
 * Subjects and contact addresses are shown to operators; the texts are not
 * loaded here, only on the thread page.
 */
import { z } from "zod";
import type { DialogueKind, Prisma } from "../../generated/prisma/client.ts";
import {
  dialogueKinds,
  dialogueSummarySelect,
  type DialogueSummary,
} from "../../inbox/list-dialogues.ts";
import type { Db } from "../../types.ts";
import { dayField, dayRange, optionalField, pageField, parseFilter } from "./parse-filter.ts";

export const dialoguePageSize = 50;

export const dialogueFilterSchema = z.object({
  contact: optionalField(z.string().trim().max(320)),
  kind: optionalField(z.enum(dialogueKinds as [DialogueKind, ...DialogueKind[]])),
  direction: optionalField(z.enum(["in", "out"])),
  mailbox: optionalField(z.string().trim().max(200)),
  from: optionalField(dayField),
  to: optionalField(dayField),
  flagged: optionalField(z.enum(["1"], { error: 'expected "1" (only flagged records)' })),
  page: pageField,
});

export type DialogueFilter = z.infer<typeof dialogueFilterSchema>;

export function parseDialogueFilter(query: unknown): DialogueFilter {
  return parseFilter(dialogueFilterSchema, query);
}

export interface DialogueRow extends DialogueSummary {
  contactEmail: string | null;
  campaignSlug: string | null;
}

export async function searchDialogues(
  db: Db,
  filter: DialogueFilter,
): Promise<{ rows: DialogueRow[]; hasMore: boolean }> {
  const page = filter.page ?? 1;
  const receivedAt = dayRange(filter.from, filter.to);
  const where: Prisma.DialogueRecordWhereInput = {
    ...(filter.contact
      ? { contact: { email: { contains: filter.contact.toLowerCase(), mode: "insensitive" } } }
      : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.direction ? { direction: filter.direction } : {}),
    ...(filter.mailbox ? { mailbox: filter.mailbox } : {}),
    ...(filter.flagged ? { flagged: true } : {}),
    ...(receivedAt ? { receivedAt } : {}),
  };
  const rows = await db.dialogueRecord.findMany({
    where,
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    skip: (page - 1) * dialoguePageSize,
    take: dialoguePageSize + 1,
    select: {
      ...dialogueSummarySelect,
      contact: { select: { email: true } },
      campaign: { select: { slug: true } },
    },
  });
  return {
    hasMore: rows.length > dialoguePageSize,
    rows: rows.slice(0, dialoguePageSize).map(({ contact, campaign, ...r }) => ({
      ...r,
      receivedAt: r.receivedAt.toISOString(),
      contactEmail: contact?.email ?? null,
      campaignSlug: campaign?.slug ?? null,
    })),
  };
}

/** The mailbox names dialogue records came from, for the filter's choices. */
export async function dialogueMailboxes(db: Db): Promise<string[]> {
  const rows = await db.dialogueRecord.findMany({
    where: { mailbox: { not: null } },
    distinct: ["mailbox"],
    select: { mailbox: true },
    orderBy: { mailbox: "asc" },
    take: 200,
  });
  return rows.map((r) => r.mailbox!).filter(Boolean);
}
