/**
 * Where an employee's handover stands, for the console's progress view:
 * the latest handover row, its ledger counted (one row per message verified
 * copied to the successor, written as the copies land), and the console's
 * last request to start one (a queued job has no row until a worker takes it).
 */
import type { HandoverStatus } from "../../generated/prisma/client.ts";
import type { HandoverReport } from "../../mailboxes/handover-report.ts";
import type { Db } from "../../types.ts";

export interface HandoverProgress {
  handover: {
    id: number;
    status: HandoverStatus;
    all: boolean;
    successorId: number;
    successorAddress: string;
    startedAt: string;
    verifiedAt: string | null;
    emptiedAt: string | null;
    finishedAt: string | null;
    /** the last finished run's report; {} while the first run copies */
    report: Partial<HandoverReport>;
  } | null;
  ledger: {
    messages: number;
    bytes: number;
    folders: { folder: string; messages: number; bytes: number }[];
  };
  /** the console's latest start request, and how many messages its dry run selected */
  queued: { at: string; expected: number | null } | null;
  /** the latest handover.* audit entry: how the last run ended (failed, unverified, completed, ...) */
  lastEvent: { action: string; at: string; error: string | null } | null;
}

/** the console's own audit actions: a start request, and a dry run */
export const handoverQueuedAction = "handover.queued";
export const handoverDryRunAction = "handover.dry-run";

export async function handoverProgress(db: Db, employeeId: number): Promise<HandoverProgress> {
  const [row, queued, last] = await Promise.all([
    db.handover.findFirst({
      where: { employeeId },
      orderBy: { id: "desc" },
      include: { successor: { select: { address: true } } },
    }),
    db.auditEntry.findFirst({
      where: {
        action: handoverQueuedAction,
        subjectType: "employee",
        subjectId: String(employeeId),
      },
      orderBy: { id: "desc" },
      select: { at: true, detail: true },
    }),
    db.auditEntry.findFirst({
      where: {
        action: { startsWith: "handover." },
        NOT: { action: { in: [handoverQueuedAction, handoverDryRunAction] } },
        subjectType: "employee",
        subjectId: String(employeeId),
      },
      orderBy: { id: "desc" },
      select: { action: true, at: true, detail: true },
    }),
  ]);
  const folders = row
    ? await db.handoverCopy.groupBy({
        by: ["sourceFolder"],
        where: { handoverId: row.id },
        _count: { _all: true },
        _sum: { size: true },
        orderBy: { sourceFolder: "asc" },
      })
    : [];
  const ledger = {
    messages: folders.reduce((n, f) => n + f._count._all, 0),
    bytes: folders.reduce((n, f) => n + (f._sum.size ?? 0), 0),
    folders: folders.map((f) => ({
      folder: f.sourceFolder,
      messages: f._count._all,
      bytes: f._sum.size ?? 0,
    })),
  };
  const expected = (queued?.detail as { expected?: unknown } | undefined)?.expected;
  return {
    handover: row && {
      id: row.id,
      status: row.status,
      all: row.all,
      successorId: row.successorId,
      successorAddress: row.successor.address,
      startedAt: row.startedAt.toISOString(),
      verifiedAt: row.verifiedAt?.toISOString() ?? null,
      emptiedAt: row.emptiedAt?.toISOString() ?? null,
      finishedAt: row.finishedAt?.toISOString() ?? null,
      report: (row.report ?? {}) as Partial<HandoverReport>,
    },
    ledger,
    lastEvent: last
      ? {
          action: last.action,
          at: last.at.toISOString(),
          error: String((last.detail as { error?: unknown } | null)?.error ?? "") || null,
        }
      : null,
    queued: queued
      ? { at: queued.at.toISOString(), expected: typeof expected === "number" ? expected : null }
      : null,
  };
}

/** Every handover, the latest first, with both parties' addresses. */
export async function listHandovers(db: Db, limit = 100) {
  const rows = await db.handover.findMany({
    orderBy: { id: "desc" },
    take: limit,
    include: {
      employee: { select: { id: true, address: true } },
      successor: { select: { id: true, address: true } },
      _count: { select: { copies: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    all: r.all,
    employee: r.employee,
    successor: r.successor,
    copies: r._count.copies,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  }));
}
