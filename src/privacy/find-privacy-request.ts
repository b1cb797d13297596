import { AppError } from "../errors.ts";
import type { Clock, Db } from "../types.ts";
import { privacyRequestSelect, type PrivacyRequestRow } from "./list-privacy-requests.ts";

export interface PrivacyRequestDetail extends PrivacyRequestRow {
  id: number;
  /** counts and field names only (never values) */
  detail: unknown;
}

/** One data-subject request by its reference ("DSR-20261201-3F9A2C"). */
export async function findPrivacyRequest(
  deps: { db: Db; clock: Clock },
  reference: string,
): Promise<PrivacyRequestDetail> {
  const r = await deps.db.privacyRequest.findUnique({
    where: { reference },
    select: { ...privacyRequestSelect, id: true, detail: true },
  });
  if (!r)
    throw new AppError(
      "not_found",
      `no data-subject request "${reference}"; references look like DSR-20261201-3F9A2C`,
    );
  return { ...r, overdue: r.state === "received" && r.dueAt < deps.clock.now() };
}
