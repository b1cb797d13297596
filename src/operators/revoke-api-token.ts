import { AppError } from "../errors.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { OperatorDeps } from "./operator-deps.ts";

export async function revokeApiToken(
  deps: Pick<OperatorDeps, "db" | "clock">,
  tokenId: number,
  actor: string,
): Promise<void> {
  const { count } = await deps.db.operatorApiToken.updateMany({
    where: { id: tokenId, revokedAt: null },
    data: { revokedAt: deps.clock.now() },
  });
  if (count === 0)
    throw new AppError("not_found", `no API token ${tokenId} that is not revoked already`);
  await recordAudit(deps.db, {
    actor,
    action: "operator.token_revoked",
    subjectType: "operator_api_token",
    subjectId: tokenId,
  });
}
