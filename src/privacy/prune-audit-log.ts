import type { Clock, Db } from "../types.ts";
import { addMonths } from "./add-months.ts";
import { recordAudit } from "./record-audit.ts";

/**
 * The audit log's own retention: the one way its rows may go. The trigger
 * (privacy migration) refuses DELETE unless the transaction sets
 * `mailsteward.audit_retention`; this does, for batches of 10,000 rows.
 */
export async function pruneAuditLog(
  deps: { db: Db; clock: Clock },
  input: { months: number; actor: string },
): Promise<{ deleted: number; before: Date | null }> {
  if (input.months <= 0) return { deleted: 0, before: null };
  const before = addMonths(deps.clock.now(), -input.months);
  const cutoff = before.toISOString();
  let deleted = 0;
  for (;;) {
    const n = await deps.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT set_config('mailsteward.audit_retention', 'on', true)`;
      return tx.$executeRaw`
        DELETE FROM audit_log WHERE id IN (
          SELECT id FROM audit_log WHERE at < ${cutoff}::timestamp(3) ORDER BY id LIMIT 10000)`;
    });
    deleted += n;
    if (n < 10000) break;
  }
  if (deleted > 0)
    await recordAudit(deps.db, {
      actor: input.actor,
      action: "audit.pruned",
      detail: { deleted, before: cutoff, months: input.months },
    });
  return { deleted, before };
}
