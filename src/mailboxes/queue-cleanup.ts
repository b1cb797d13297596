import { AppError } from "../errors.ts";
import type { JobQueue } from "../jobs.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { findEmployee } from "./find-employee.ts";
import { cleanupDeleteJob } from "./send-cleanup-digests.ts";

/**
 * Queues a cleanup of one mailbox to run now (the admin API's counterpart of
 * `mailsteward cleanup EMPLOYEE`): a run due at once, taken by a worker.
 */
export async function queueCleanup(
  deps: { db: Db; clock: Clock; queue: JobQueue },
  ref: string | number,
  actor: string,
): Promise<{ runId: number }> {
  const employee = await findEmployee(deps.db, ref);
  if (employee.status !== "active")
    throw new AppError(
      "refused",
      `employee ${employee.id} is ${employee.status}: the handover, not the cleanup, decides what happens to this mailbox`,
    );
  const busy = await deps.db.cleanupRun.findFirst({
    where: { employeeId: employee.id, status: "deleting" },
    select: { id: true },
  });
  if (busy)
    throw new AppError("conflict", `employee ${employee.id}: cleanup run ${busy.id} is under way`);
  const run = await deps.db.cleanupRun.create({
    data: { employeeId: employee.id, status: "review", deleteAfter: deps.clock.now() },
  });
  await deps.queue.now(cleanupDeleteJob, { runId: run.id });
  await recordAudit(deps.db, {
    actor,
    action: "mailbox.cleanup.queued",
    subjectType: "employee",
    subjectId: employee.id,
    detail: { runId: run.id },
  });
  return { runId: run.id };
}
