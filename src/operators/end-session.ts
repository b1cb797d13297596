import { hashCredential } from "./credential-hash.ts";
import type { OperatorDeps } from "./operator-deps.ts";

/** Signs a browser out: the row goes, so the cookie opens nothing even if it is kept. */
export async function endSession(
  deps: Pick<OperatorDeps, "db" | "config">,
  sessionId: string | undefined,
): Promise<void> {
  if (!sessionId) return;
  await deps.db.operatorSession.deleteMany({
    where: { tokenHash: hashCredential(deps.config.suppressionKey, sessionId, "session") },
  });
}
