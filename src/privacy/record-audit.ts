import type { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";

/** A client or the transaction client inside `$transaction(async (tx) => ...)`. */
export type DbOrTx = Db | Prisma.TransactionClient;

export interface AuditInput {
  /** "cli", "api", "worker", "subscriber", "system" */
  actor: string;
  /** dotted verb: "contacts.imported", "subscription.unsubscribed", "campaign.scheduled" */
  action: string;
  subjectType?: string;
  /** an id or a keyed hash; never an address or a name */
  subjectId?: string | number;
  detail?: Prisma.InputJsonValue;
}

export async function recordAudit(db: DbOrTx, entry: AuditInput): Promise<void> {
  await db.auditEntry.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType ?? null,
      subjectId: entry.subjectId === undefined ? null : String(entry.subjectId),
      detail: entry.detail ?? {},
    },
  });
}
