/**
 * Cleanup runs for the console: digests sent, deletions waiting for their
 * date (the grace period), steps left part-way, and the reports of runs that
 * finished. A run's report holds counts and sizes per folder, never subjects.
 */
import type { CleanupRunStatus } from "../../generated/prisma/client.ts";
import type { CleanupReport } from "../../mailboxes/cleanup-report.ts";
import type { PendingDeletion } from "../../mailboxes/cleanup-pending.ts";
import type { Db } from "../../types.ts";

export interface CleanupRunRow {
  id: number;
  employeeId: number;
  employeeAddress: string;
  status: CleanupRunStatus;
  deleteAfter: string;
  digestSentAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  /** a deletion step begun and not yet settled (resumed by the next attempt) */
  pending: PendingDeletion | null;
  /** the finished run's report; while under review only `cutoff` */
  report: Partial<CleanupReport>;
}

export async function listCleanupRuns(
  db: Db,
  filter: {
    employeeId?: number;
    statuses?: CleanupRunStatus[];
    digestSent?: boolean;
    limit?: number;
  },
): Promise<CleanupRunRow[]> {
  const rows = await db.cleanupRun.findMany({
    where: {
      ...(filter.employeeId !== undefined ? { employeeId: filter.employeeId } : {}),
      ...(filter.statuses ? { status: { in: filter.statuses } } : {}),
      ...(filter.digestSent ? { digestSentAt: { not: null } } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filter.limit ?? 50,
    include: { employee: { select: { address: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    employeeId: r.employeeId,
    employeeAddress: r.employee.address,
    status: r.status,
    deleteAfter: r.deleteAfter.toISOString(),
    digestSentAt: r.digestSentAt?.toISOString() ?? null,
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    pending: (r.pending as PendingDeletion | null) ?? null,
    report: (r.report ?? {}) as Partial<CleanupReport>,
  }));
}
