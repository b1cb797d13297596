import { hashCredential } from "./credential-hash.ts";
import { operatorSummary, type OperatorDeps, type OperatorSummary } from "./operator-deps.ts";
import { sessionLifetimes, touchEveryMs } from "./session-lifetimes.ts";

/**
 * The operator a session id belongs to, if the session is within both its
 * lifetimes and the operator is not disabled; otherwise undefined. Keeps the
 * session alive (last seen) at most once a minute.
 */
export async function findSession(
  deps: OperatorDeps,
  sessionId: string | undefined,
): Promise<{ operator: OperatorSummary; sessionId: string } | undefined> {
  if (!sessionId || !sessionId.startsWith("mss_") || sessionId.length > 100) return undefined;
  const now = deps.clock.now();
  const row = await deps.db.operatorSession.findUnique({
    where: { tokenHash: hashCredential(deps.config.suppressionKey, sessionId, "session") },
    select: {
      id: true,
      lastSeenAt: true,
      expiresAt: true,
      operator: { select: { ...operatorSummary, disabledAt: true } },
    },
  });
  if (!row || row.operator.disabledAt) return undefined;
  if (row.expiresAt <= now || now.getTime() - row.lastSeenAt.getTime() >= sessionLifetimes.idleMs)
    return undefined;
  if (now.getTime() - row.lastSeenAt.getTime() >= touchEveryMs)
    await deps.db.operatorSession.update({ where: { id: row.id }, data: { lastSeenAt: now } });
  const { disabledAt: _disabled, ...operator } = row.operator;
  return { operator, sessionId };
}
