import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { requeueFailedJob } from "./agenda-jobs.queries.ts";
import { changeFailedJob } from "./change-failed-job.ts";

/** Queues a failed job to run again now, audited; the run's outcome replaces the failure. */
export async function retryFailedJob(
  deps: { db: Db; clock: Clock },
  id: string,
  actor: string,
): Promise<{ name: string }> {
  return changeFailedJob(deps.db, id, async (tx) => {
    const job = await requeueFailedJob(tx, id, deps.clock.now());
    if (!job) return null;
    await recordAudit(tx, {
      actor,
      action: "job.retried",
      subjectType: "job",
      subjectId: id,
      detail: { name: job.name, failCount: job.failCount },
    });
    return { name: job.name };
  });
}
