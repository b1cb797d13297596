/**
 * Who may call the admin API (/api): the ADMIN_TOKEN bearer (everything,
 * audit actor "api"), or an operator's own API token (`mso_...`, from
 * `mailsteward operators token`), limited to the areas of the operator's role
 * and attributed to "operator:<id>" in the audit log.
 */
import type { FastifyRequest } from "fastify";
import { findApiToken } from "../operators/find-api-token.ts";
import type { OperatorRole, OperatorSummary } from "../operators/operator-deps.ts";
import { isAdminAuthorised } from "./admin-auth.ts";
import type { HttpDeps } from "./deps.ts";

/**
 * The roles (besides admin) that each /api area is open to; an area not
 * listed is admin-only (operators, cli, whatever is added without a line here).
 */
export const apiAreaRoles: Record<string, readonly OperatorRole[]> = {
  whoami: ["marketing", "it", "privacy"],
  contacts: ["marketing", "privacy"],
  lists: ["marketing"],
  subscriptions: ["marketing"],
  campaigns: ["marketing"],
  dialogues: ["marketing", "privacy"],
  inbox: ["marketing", "privacy", "it"],
  employees: ["it"],
  handovers: ["it"],
  cleanup: ["it"],
  privacy: ["privacy"],
  audit: ["privacy"],
};

export type ApiAccess =
  | { ok: true; actor: string; operator?: OperatorSummary }
  | { ok: false; status: 401 | 403; message: string };

export async function checkApiAccess(deps: HttpDeps, request: FastifyRequest): Promise<ApiAccess> {
  const header = request.headers.authorization;
  const { adminToken } = deps.config;
  if (adminToken !== undefined && isAdminAuthorised(adminToken, header))
    return { ok: true, actor: "api" };
  const token = /^bearer (mso_[\w-]+)\s*$/i.exec(header ?? "")?.[1];
  const operator = token ? await findApiToken(deps, token) : undefined;
  if (!operator)
    return {
      ok: false,
      status: 401,
      message:
        adminToken === undefined
          ? "missing or wrong bearer token; send Authorization: Bearer <token> with an operator's API token (mailsteward operators token EMAIL --name N), or set ADMIN_TOKEN (openssl rand -hex 24)"
          : "missing or wrong bearer token; send Authorization: Bearer <ADMIN_TOKEN> or an operator's API token",
    };
  const area = request.url.split("?")[0]!.split("/")[2] ?? "";
  const allowed = apiAreaRoles[area] ?? [];
  if (operator.role !== "admin" && !allowed.includes(operator.role))
    return {
      ok: false,
      status: 403,
      message: `/api/${area} is for the ${[...allowed, "admin"].join(" or ")} role; this token's operator has the ${operator.role} role`,
    };
  return { ok: true, actor: `operator:${operator.id}`, operator };
}

/** The audit actor of an /api request: "api" for ADMIN_TOKEN, "operator:<id>" for an operator's token. */
export function apiActorOf(request: FastifyRequest): string {
  return (request as FastifyRequest & { apiActor?: string }).apiActor ?? "api";
}
