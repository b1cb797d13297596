import { AppError, isAppError } from "../errors.ts";
import { cleanupMailbox, type CleanupDeps } from "./cleanup-mailbox.ts";
import type { CleanupReport } from "./cleanup-report.ts";

/**
 * The deletion a digest announced, run by the job at the announced date. A
 * refusal (the employee left meanwhile, the server lost UIDPLUS) is final for
 * this run and is not retried; a lost connection fails the job so Agenda's
 * next attempt resumes it.
 */
export async function deleteAnnouncedCleanup(
  deps: CleanupDeps & { touch?: (progress?: number) => Promise<void> },
  runId: number,
): Promise<CleanupReport | null> {
  const run = await deps.db.cleanupRun.findUnique({ where: { id: runId } });
  if (!run) throw new AppError("not_found", `cleanup run ${runId} does not exist`);
  if (run.status === "done" || run.status === "refused") return null;
  try {
    let last = 0;
    const { report } = await cleanupMailbox(deps, run.employeeId, {
      actor: "worker",
      runId,
      onProgress: () => {
        // keep the job's lock while a large mailbox is worked through
        if (deps.touch && Date.now() - last > 10_000) {
          last = Date.now();
          void deps.touch().catch(() => {}); // fire-and-forget: a missed renewal only shortens the lock
        }
      },
    });
    deps.log.info("cleanup done", {
      employeeId: run.employeeId,
      runId,
      deleted: report.totals.deleted,
      bytes: report.totals.deletedBytes,
    });
    return report;
  } catch (error) {
    if (isAppError(error, "refused")) {
      await deps.db.cleanupRun.update({ where: { id: runId }, data: { status: "refused" } });
      deps.log.warn("cleanup refused", { employeeId: run.employeeId, runId, error: error.message });
      return null;
    }
    throw error;
  }
}
