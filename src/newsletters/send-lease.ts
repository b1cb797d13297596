/**
 * One worker at a time sends a campaign. Agenda locks a job, not a campaign,
 * and a resume can queue a second job while the first is finishing a batch;
 * the lease (renewed per batch, expiring like the job lock) keeps the second
 * from marking the first's in-flight rows uncertain or sending alongside it.
 * Raw SQL: a conditional UPDATE on the database's clock, so workers' clocks do not matter.
 */
import type { Db } from "../types.ts";

export async function claimSendLease(
  db: Db,
  campaignId: number,
  owner: string,
  ms: number,
): Promise<{ ok: boolean; until: Date | null }> {
  const rows = await db.$queryRawUnsafe<
    Array<{ send_lease_owner: string | null; send_lease_until: Date | null }>
  >(
    `UPDATE campaigns SET send_lease_owner = $2, send_lease_until = now() + ($3::int * interval '1 millisecond')
      WHERE id = $1 AND (send_lease_until IS NULL OR send_lease_until < now() OR send_lease_owner = $2)
      RETURNING send_lease_owner, send_lease_until`,
    campaignId,
    owner,
    ms,
  );
  if (rows.length === 1) return { ok: true, until: rows[0]!.send_lease_until };
  const current = await db.campaign.findUnique({
    where: { id: campaignId },
    select: { sendLeaseUntil: true },
  });
  return { ok: false, until: current?.sendLeaseUntil ?? null };
}

export async function releaseSendLease(db: Db, campaignId: number, owner: string): Promise<void> {
  await db.campaign.updateMany({
    where: { id: campaignId, sendLeaseOwner: owner },
    data: { sendLeaseOwner: null, sendLeaseUntil: null },
  });
}
