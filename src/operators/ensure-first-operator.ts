import { addOperator } from "./add-operator.ts";
import type { OperatorDeps } from "./operator-deps.ts";

/**
 * The embedded default's first start: with no operator at all, an admin is
 * created so that a new user can sign in without reading the docs. Returns
 * the address and the generated password to show once; undefined when any
 * operator exists (then nothing is created, whatever their state).
 */
export async function ensureFirstOperator(
  deps: Pick<OperatorDeps, "db">,
  opts: { mailFrom: string },
): Promise<{ email: string; password: string } | undefined> {
  if ((await deps.db.operator.count()) > 0) return undefined;
  const domain = /@([^>\s]+)/.exec(opts.mailFrom)?.[1] ?? "localhost";
  const { operator, password } = await addOperator(
    deps,
    { email: `admin@${domain}`, role: "admin", name: "Admin" },
    "system",
  );
  return { email: operator.email, password: password! };
}
