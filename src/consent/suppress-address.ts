import type { SuppressionReason } from "../generated/prisma/client.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import { hashAddress } from "./address-hash.ts";

/** Idempotent: the first reason recorded for an address stays. */
export async function suppressAddress(
  db: DbOrTx,
  suppressionKey: string,
  input: { address: string; reason: SuppressionReason; detail?: string; actor: string },
): Promise<{ hash: string; created: boolean }> {
  const hash = hashAddress(suppressionKey, input.address);
  const existing = await db.suppression.findUnique({
    where: { addressHash: hash },
    select: { id: true },
  });
  if (existing) return { hash, created: false };
  await db.suppression.createMany({
    data: [{ addressHash: hash, reason: input.reason, detail: input.detail ?? null }],
    skipDuplicates: true,
  });
  await recordAudit(db, {
    actor: input.actor,
    action: "suppression.added",
    subjectType: "address_hash",
    subjectId: hash,
    detail: { reason: input.reason },
  });
  return { hash, created: true };
}

export async function isSuppressed(
  db: DbOrTx,
  suppressionKey: string,
  address: string,
): Promise<boolean> {
  const row = await db.suppression.findUnique({
    where: { addressHash: hashAddress(suppressionKey, address) },
    select: { id: true },
  });
  return row !== null;
}
