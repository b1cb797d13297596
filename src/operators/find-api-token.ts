import { hashCredential } from "./credential-hash.ts";
import { operatorSummary, type OperatorDeps, type OperatorSummary } from "./operator-deps.ts";
import { touchEveryMs } from "./session-lifetimes.ts";

/** The operator an API token belongs to, unless it is revoked or the operator disabled. */
export async function findApiToken(
  deps: OperatorDeps,
  token: string,
): Promise<OperatorSummary | undefined> {
  if (!token.startsWith("mso_") || token.length > 100) return undefined;
  const row = await deps.db.operatorApiToken.findUnique({
    where: { tokenHash: hashCredential(deps.config.suppressionKey, token, "api-token") },
    select: {
      id: true,
      revokedAt: true,
      lastUsedAt: true,
      operator: { select: { ...operatorSummary, disabledAt: true } },
    },
  });
  if (!row || row.revokedAt || row.operator.disabledAt) return undefined;
  const now = deps.clock.now();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= touchEveryMs)
    await deps.db.operatorApiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  const { disabledAt: _disabled, ...operator } = row.operator;
  return operator;
}
