import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { addOperator } from "../../operators/add-operator.ts";
import { createApiToken } from "../../operators/create-api-token.ts";
import { disableOperator } from "../../operators/disable-operator.ts";
import { listOperators } from "../../operators/list-operators.ts";
import { operatorRoles } from "../../operators/operator-deps.ts";
import { resetPassword } from "../../operators/reset-password.ts";
import { revokeApiToken } from "../../operators/revoke-api-token.ts";
import { apiActorOf } from "../api-access.ts";
import type { HttpDeps } from "../deps.ts";
import { parseBody } from "./parse-body.ts";

const addBody = z.object({
  email: z.string(),
  role: z.enum(operatorRoles),
  name: z.string().optional(),
  password: z.string().optional(),
});
const tokenBody = z.object({ name: z.string() });
const resetBody = z.object({ password: z.string().optional() });

type ByRef = { Params: { ref: string } };

/** "17" is an id, anything else an address. */
function refOf(ref: string): string | number {
  return /^\d+$/.test(ref) ? Number(ref) : ref;
}

/**
 * Operators on the admin API (admin role, or ADMIN_TOKEN):
 *   GET  /api/operators                     operators with state and tokens (never hashes)
 *   POST /api/operators {email, role, name?, password?}   a generated password comes back once
 *   POST /api/operators/:ref/disable        sessions end, tokens revoked
 *   POST /api/operators/:ref/reset-password {password?}
 *   POST /api/operators/:ref/tokens {name}  the token comes back once
 *   POST /api/operators/tokens/:id/revoke
 */
export function register(app: FastifyInstance, deps: HttpDeps): void {
  app.get("/operators", async () => listOperators(deps.db));
  app.post("/operators", async (request, reply) => {
    const body = parseBody(addBody, request.body, "operator");
    return reply.code(201).send(await addOperator(deps, body, apiActorOf(request)));
  });
  app.post<ByRef>("/operators/:ref/disable", async (request) =>
    disableOperator(deps, refOf(request.params.ref), apiActorOf(request)),
  );
  app.post<ByRef>("/operators/:ref/reset-password", async (request) => {
    const body = parseBody(resetBody, request.body, "password reset");
    return resetPassword(deps, refOf(request.params.ref), apiActorOf(request), body.password);
  });
  app.post<ByRef>("/operators/:ref/tokens", async (request, reply) => {
    const body = parseBody(tokenBody, request.body, "token");
    const token = await createApiToken(
      deps,
      { operator: refOf(request.params.ref), name: body.name },
      apiActorOf(request),
    );
    return reply.code(201).send(token);
  });
  app.post<{ Params: { id: string } }>("/operators/tokens/:id/revoke", async (request, reply) => {
    await revokeApiToken(deps, Number(request.params.id), apiActorOf(request));
    return reply.code(204).send();
  });
}
