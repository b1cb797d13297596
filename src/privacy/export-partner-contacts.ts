/**
 * Guards the statement's promise that only name, email, phone and company are
 * shared with partners. By construction: PartnerRecord has exactly these four
 * fields, the query selects exactly these columns (from the same list), and
 * each row is rebuilt from that list, so no other field can reach a file.
 */
import crypto from "node:crypto";
import type { Config } from "../config/load-config.ts";
import { AppError } from "../errors.ts";
import type { Clock, Db } from "../types.ts";
import { decideRetention } from "./decide-retention.ts";
import { recordAudit } from "./record-audit.ts";

export const partnerFields = ["name", "email", "phone", "company"] as const;
export type PartnerField = (typeof partnerFields)[number];
export type PartnerRecord = { readonly [K in PartnerField]: string | null };

const partnerSelect = Object.fromEntries(partnerFields.map((f) => [f, true])) as {
  [K in PartnerField]: true;
};

export interface PartnerExport {
  exportId: string;
  partner: string;
  records: PartnerRecord[];
  /** linked contacts left out because no rule keeps them any more (due for erasure) */
  skippedDue: number;
}

/**
 * The contacts linked to a partner that are still in an ongoing relationship
 * (a retention rule keeps them), as the four shareable fields. Each
 * disclosure is recorded per contact (their export shows it) and once in the
 * audit log (partner, count, time, operator).
 */
export async function exportPartnerContacts(
  deps: { db: Db; config: Pick<Config, "privacy">; clock: Clock },
  input: { partner: string; actor: string },
): Promise<PartnerExport> {
  const partner = await deps.db.partner.findUnique({
    where: { name: input.partner },
    select: { id: true, name: true },
  });
  if (!partner) {
    const known = await deps.db.partner.findMany({
      select: { name: true },
      orderBy: { name: "asc" },
    });
    throw new AppError(
      "not_found",
      `unknown partner "${input.partner}"; known partners: ${known.map((p) => p.name).join(", ") || "(none yet: link contacts with mailsteward privacy partner-link)"}`,
    );
  }
  const now = deps.clock.now();
  const linked = await deps.db.contact.findMany({
    where: { partners: { some: { partnerId: partner.id } } },
    select: {
      id: true,
      createdAt: true,
      lastContactAt: true,
      customerStatus: true,
      customerEndedAt: true,
      subscriptions: { select: { status: true, requestedAt: true, unsubscribedAt: true } },
      dialogues: {
        where: { kind: "reply" },
        select: { receivedAt: true },
        orderBy: { receivedAt: "desc" },
        take: 1,
      },
    },
    orderBy: { id: "asc" },
  });
  const ongoing = linked
    .filter(
      (c) =>
        decideRetention(
          { ...c, lastDialogueAt: c.dialogues[0]?.receivedAt ?? null },
          deps.config.privacy.retention,
          now,
        ).keep,
    )
    .map((c) => c.id);
  const rows = await deps.db.contact.findMany({
    where: { id: { in: ongoing } },
    select: { id: true, ...partnerSelect },
    orderBy: { id: "asc" },
  });
  const records: PartnerRecord[] = rows.map(
    (r) => Object.fromEntries(partnerFields.map((f) => [f, r[f]])) as PartnerRecord,
  );
  const exportId = crypto.randomUUID();
  await deps.db.$transaction(async (tx) => {
    await tx.partnerDisclosure.createMany({
      data: rows.map((r) => ({
        partnerId: partner.id,
        contactId: r.id,
        exportId,
        disclosedAt: now,
      })),
    });
    await recordAudit(tx, {
      actor: input.actor,
      action: "partner.exported",
      subjectType: "partner",
      subjectId: partner.id,
      detail: {
        partner: partner.name,
        exportId,
        count: records.length,
        skippedDue: linked.length - ongoing.length,
        fields: [...partnerFields],
        at: now.toISOString(),
      },
    });
  });
  return { exportId, partner: partner.name, records, skippedDue: linked.length - ongoing.length };
}

/** RFC 4180: every field quoted, quotes doubled, CRLF line ends. */
export function partnerCsv(records: PartnerRecord[]): string {
  const q = (v: string | null) => `"${(v ?? "").replace(/"/g, '""')}"`;
  return [
    partnerFields.join(","),
    ...records.map((r) => partnerFields.map((f) => q(r[f])).join(",")),
  ]
    .map((line) => line + "\r\n")
    .join("");
}
