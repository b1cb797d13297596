import type { Db } from "../types.ts";
import { operatorSummary, type OperatorSummary } from "./operator-deps.ts";

export interface OperatorListing extends OperatorSummary {
  createdAt: Date;
  disabledAt: Date | null;
  lockedUntil: Date | null;
  failedAttempts: number;
  /** the most recent request of any of the operator's sessions */
  lastSeenAt: Date | null;
  apiTokens: Array<{
    id: number;
    name: string;
    createdAt: Date;
    lastUsedAt: Date | null;
    revokedAt: Date | null;
  }>;
}

export async function listOperators(db: Db): Promise<OperatorListing[]> {
  const rows = await db.operator.findMany({
    orderBy: { id: "asc" },
    select: {
      ...operatorSummary,
      createdAt: true,
      disabledAt: true,
      lockedUntil: true,
      failedAttempts: true,
      sessions: { select: { lastSeenAt: true }, orderBy: { lastSeenAt: "desc" }, take: 1 },
      apiTokens: {
        select: { id: true, name: true, createdAt: true, lastUsedAt: true, revokedAt: true },
        orderBy: { id: "asc" },
      },
    },
  });
  return rows.map(({ sessions, ...row }) => ({
    ...row,
    lastSeenAt: sessions[0]?.lastSeenAt ?? null,
  }));
}
