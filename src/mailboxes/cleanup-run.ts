import type { ImapSession } from "../adapters/imap-connect.ts";
import { AppError } from "../errors.ts";
import { Prisma, type CleanupRun, type Employee } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import type { CleanupPolicy } from "./cleanup-policy.ts";
import type { CleanupReport } from "./cleanup-report.ts";

/** What a run row keeps between attempts and after a kill (report JSON). */
export interface RunProgress {
  cutoff?: string;
  completed?: string[];
  folders?: CleanupReport["folders"];
}

/**
 * The run to carry out: the one a digest announced (refused before its
 * date), or for the CLI an unfinished one of this employee, or a new one.
 */
export async function openCleanupRun(
  deps: { db: Db; clock: Clock },
  employee: Employee,
  runId: number | undefined,
): Promise<CleanupRun> {
  const now = deps.clock.now();
  if (runId !== undefined) {
    const run = await deps.db.cleanupRun.findUnique({ where: { id: runId } });
    if (!run || run.employeeId !== employee.id)
      throw new AppError(
        "not_found",
        `cleanup run ${runId} of employee ${employee.id} does not exist`,
      );
    if (run.status === "done" || run.status === "refused")
      throw new AppError("conflict", `cleanup run ${runId} is already ${run.status}`);
    if (run.deleteAfter > now)
      throw new AppError(
        "conflict",
        `cleanup run ${runId}: the digest announced deletion for ${run.deleteAfter.toISOString()}; nothing is deleted before then`,
      );
    return deps.db.cleanupRun.update({
      where: { id: run.id },
      data: { status: "deleting", startedAt: run.startedAt ?? now },
    });
  }
  const unfinished = await deps.db.cleanupRun.findFirst({
    where: { employeeId: employee.id, status: { in: ["deleting", "failed"] } },
    orderBy: { createdAt: "desc" },
  });
  if (unfinished)
    return deps.db.cleanupRun.update({
      where: { id: unfinished.id },
      data: { status: "deleting", startedAt: unfinished.startedAt ?? now },
    });
  return deps.db.cleanupRun.create({
    data: { employeeId: employee.id, status: "deleting", deleteAfter: now, startedAt: now },
  });
}

export function runProgress(run: CleanupRun | null): RunProgress {
  return (run?.report ?? {}) as RunProgress;
}

/** UIDPLUS is required (and MOVE for the trash mode): refused before any change, with an audit entry. */
export async function refuseUnsafeServer(
  deps: { db: Db; clock: Clock },
  session: ImapSession,
  employee: Employee,
  run: CleanupRun,
  policy: CleanupPolicy,
  actor: string,
): Promise<void> {
  const missing = session.capabilities.has("UIDPLUS")
    ? policy.deleteMode === "trash" && !session.capabilities.has("MOVE")
      ? "MOVE"
      : null
    : "UIDPLUS";
  if (!missing) return;
  const why =
    missing === "UIDPLUS"
      ? "UIDPLUS (RFC 4315), so deletion could not be limited to the selected messages: a plain EXPUNGE would also remove every other message marked \\Deleted"
      : "MOVE (RFC 6851), which CLEANUP_DELETE_MODE=trash needs; use CLEANUP_DELETE_MODE=expunge";
  await deps.db.cleanupRun.update({
    where: { id: run.id },
    data: { status: "refused", finishedAt: deps.clock.now() },
  });
  await recordAudit(deps.db, {
    actor,
    action: "mailbox.cleanup.refused",
    subjectType: "employee",
    subjectId: employee.id,
    detail: { runId: run.id, missing },
  });
  throw new AppError(
    "refused",
    `employee ${employee.id}: the IMAP server does not offer ${why}; nothing was deleted`,
    { missing },
  );
}

export async function finishCleanupRun(
  deps: { db: Db; clock: Clock },
  run: CleanupRun,
  report: CleanupReport,
  actor: string,
): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    await tx.cleanupRun.update({
      where: { id: run.id },
      data: {
        status: "done",
        pending: Prisma.DbNull,
        finishedAt: deps.clock.now(),
        report: report as unknown as Prisma.InputJsonValue,
      },
    });
    await recordAudit(tx, {
      actor,
      action: "mailbox.cleanup.completed",
      subjectType: "employee",
      subjectId: report.employeeId,
      detail: report as unknown as Prisma.InputJsonValue,
    });
  });
}

export async function failCleanupRun(
  deps: { db: Db; clock: Clock },
  run: CleanupRun,
  progress: RunProgress,
  error: unknown,
  actor: string,
): Promise<void> {
  await deps.db.cleanupRun.update({
    where: { id: run.id },
    data: { status: "failed", report: progress as unknown as Prisma.InputJsonValue },
  });
  await recordAudit(deps.db, {
    actor,
    action: "mailbox.cleanup.failed",
    subjectType: "employee",
    subjectId: run.employeeId,
    detail: {
      runId: run.id,
      code: error instanceof AppError ? error.code : ((error as { code?: string }).code ?? null),
      deleted: (progress.folders ?? []).reduce((n, f) => n + f.deleted, 0),
    },
  });
}

export async function savePendingDeletion(
  db: Db,
  runId: number,
  pending: object | null,
): Promise<void> {
  await db.cleanupRun.update({
    where: { id: runId },
    data: { pending: pending === null ? Prisma.DbNull : (pending as Prisma.InputJsonValue) },
  });
}

export async function saveRunProgress(db: Db, runId: number, progress: RunProgress): Promise<void> {
  await db.cleanupRun.update({
    where: { id: runId },
    data: { report: progress as unknown as Prisma.InputJsonValue },
  });
}
