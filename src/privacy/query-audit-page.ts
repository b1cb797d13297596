import type { Db } from "../types.ts";
import { auditWhere, type AuditQuery, type AuditRow } from "./query-audit.ts";

export interface AuditPage {
  entries: AuditRow[];
  /** pass as `beforeId` for the next (older) page; null on the last page */
  nextBeforeId: number | null;
}

/**
 * One page of the audit log, newest first. Paged by id (a keyset cursor), not
 * by offset: entries keep arriving at the top while someone reads, and an
 * offset would shift under them.
 */
export async function queryAuditPage(
  deps: { db: Db; config: { suppressionKey: string } },
  q: Omit<AuditQuery, "limit"> & { beforeId?: number; pageSize?: number },
): Promise<AuditPage> {
  const pageSize = q.pageSize ?? 50;
  const where = await auditWhere(deps, q);
  if (q.beforeId !== undefined) where.id = { lt: q.beforeId };
  const rows = await deps.db.auditEntry.findMany({
    where,
    orderBy: { id: "desc" },
    take: pageSize + 1,
  });
  const entries = rows.slice(0, pageSize);
  return {
    entries,
    nextBeforeId: rows.length > pageSize ? entries[entries.length - 1]!.id : null,
  };
}
