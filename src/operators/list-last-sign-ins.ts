import type { Db } from "../types.ts";

/**
 * When each operator last signed in to the console, from the audit log's
 * `operator.signed_in` entries (the (action, at) index serves it): the
 * operators table keeps no such column. Absent: none within the audit log's
 * retention.
 */
export async function listLastSignIns(
  db: Db,
  operatorIds: readonly number[],
): Promise<Map<number, Date>> {
  const rows = await db.auditEntry.groupBy({
    by: ["subjectId"],
    where: {
      action: "operator.signed_in",
      subjectType: "operator",
      subjectId: { in: operatorIds.map(String) },
    },
    _max: { at: true },
  });
  const last = new Map<number, Date>();
  for (const r of rows) if (r.subjectId && r._max.at) last.set(Number(r.subjectId), r._max.at);
  return last;
}
