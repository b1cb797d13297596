import type { PrivacyRequestKind, PrivacyRequestState } from "../generated/prisma/client.ts";
import type { Clock, Db } from "../types.ts";

export interface PrivacyRequestRow {
  reference: string;
  kind: PrivacyRequestKind;
  state: PrivacyRequestState;
  contactId: number | null;
  verificationMethod: string;
  verificationReference: string | null;
  actor: string;
  receivedAt: Date;
  dueAt: Date;
  completedAt: Date | null;
  /** still open after its deadline */
  overdue: boolean;
}

/** The columns of a request in a list or on its own page (the keyed hash stays out). */
export const privacyRequestSelect = {
  reference: true,
  kind: true,
  state: true,
  contactId: true,
  verificationMethod: true,
  verificationReference: true,
  actor: true,
  receivedAt: true,
  dueAt: true,
  completedAt: true,
} as const;

/** Data-subject requests, open ones first by deadline, then the rest newest first. */
export async function listPrivacyRequests(
  deps: { db: Db; clock: Clock },
  filter: { open?: boolean; kind?: PrivacyRequestKind; limit?: number } = {},
): Promise<PrivacyRequestRow[]> {
  const now = deps.clock.now();
  const rows = await deps.db.privacyRequest.findMany({
    where: {
      ...(filter.open ? { state: "received" as const } : {}),
      ...(filter.kind ? { kind: filter.kind } : {}),
    },
    orderBy: [{ state: "asc" }, { dueAt: "asc" }, { id: "desc" }],
    take: filter.limit ?? 500,
    select: privacyRequestSelect,
  });
  return rows.map((r) => ({ ...r, overdue: r.state === "received" && r.dueAt < now }));
}
