/**
 * The frame of an operator's change to one failed job (run again, remove):
 * the id checked before it reaches SQL, the change and its audit entry in one
 * transaction, and a refusal that says why when the job is no longer a failed
 * one (it ran again, another operator acted first, a worker holds it).
 */
import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";
import { findJobState } from "./agenda-jobs.queries.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function changeFailedJob<T>(
  db: Db,
  id: string,
  change: (tx: Prisma.TransactionClient) => Promise<T | null>,
): Promise<T> {
  if (!uuid.test(id))
    throw new AppError(
      "invalid_input",
      `"${id}" is not a job id; expected a UUID such as 0b6d4c2e-1f7a-4c39-9d1e-5a8f3b2c7e10`,
    );
  const changed = await db.$transaction(change);
  if (changed !== null) return changed;
  const state = await findJobState(db, id);
  if (!state)
    throw new AppError(
      "not_found",
      `no job ${id}: it was removed, or it ran again and finished; see the jobs page for the jobs there are`,
    );
  if (state.lockedAt)
    throw new AppError(
      "refused",
      `job ${state.name} (${id}) is held by a worker now; wait until its run ends`,
    );
  throw new AppError(
    "refused",
    `job ${state.name} (${id}) has not failed: its last run succeeded, or it is waiting to run again`,
  );
}
