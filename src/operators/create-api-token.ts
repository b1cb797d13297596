import { AppError } from "../errors.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import { hashCredential, newCredential } from "./credential-hash.ts";
import type { OperatorDeps } from "./operator-deps.ts";
import { findOperator } from "./find-operator.ts";

/** A new API token for an operator; returned once, stored only as a keyed hash. */
export async function createApiToken(
  deps: Pick<OperatorDeps, "db" | "config">,
  input: { operator: string | number; name: string },
  actor: string,
): Promise<{ id: number; name: string; token: string; operatorId: number }> {
  const name = input.name.trim();
  if (name === "" || name.length > 100)
    throw new AppError("invalid_input", `token name "${input.name}": expected 1 to 100 characters`);
  const token = newCredential("mso_");
  return deps.db.$transaction(async (tx) => {
    const operator = await findOperator(tx, input.operator);
    const row = await tx.operatorApiToken.create({
      data: {
        name,
        operatorId: operator.id,
        tokenHash: hashCredential(deps.config.suppressionKey, token, "api-token"),
      },
      select: { id: true },
    });
    await recordAudit(tx, {
      actor,
      action: "operator.token_created",
      subjectType: "operator",
      subjectId: operator.id,
      detail: { tokenId: row.id },
    });
    return { id: row.id, name, token, operatorId: operator.id };
  });
}
