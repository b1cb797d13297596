import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { deleteFailedJob } from "./agenda-jobs.queries.ts";
import { changeFailedJob } from "./change-failed-job.ts";

/**
 * Removes a failed job, audited. A repeating job (one of jobs/*.ts with a
 * schedule) is created again when a worker next starts; `repeating` says so.
 */
export async function removeFailedJob(
  deps: { db: Db; clock: Clock },
  id: string,
  actor: string,
): Promise<{ name: string; repeating: boolean }> {
  return changeFailedJob(deps.db, id, async (tx) => {
    const job = await deleteFailedJob(tx, id, deps.clock.now());
    if (!job) return null;
    await recordAudit(tx, {
      actor,
      action: "job.removed",
      subjectType: "job",
      subjectId: id,
      detail: { name: job.name, failCount: job.failCount },
    });
    return { name: job.name, repeating: job.repeatInterval !== null };
  });
}
