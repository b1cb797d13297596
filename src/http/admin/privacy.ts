import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { eraseContact } from "../../privacy/erase-contact.ts";
import type { HttpDeps } from "../create-server.ts";

const requestBody = z.object({
  email: z.string().min(3),
  verifiedBy: z.string().min(1, 'say how the requester was verified, e.g. "signed-letter"'),
  reference: z.string().max(200).nullish(),
});

export function parseBody<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues
    .map((i) => `${i.path.join(".") || what}: ${i.message}`)
    .join("; ");
  throw new AppError("invalid_input", `invalid ${what}: ${issues}`);
}

/**
 * Data-subject requests on the admin API:
 *   POST /api/privacy/erasures     {email, verifiedBy, reference?}  erase (art. 17)
 *   POST /api/privacy/withdrawals  {email, verifiedBy, reference?}  consent withdrawn: erase too
 */
export function register(app: FastifyInstance, deps: HttpDeps): void {
  for (const [path, kind] of [
    ["/privacy/erasures", "erasure"],
    ["/privacy/withdrawals", "withdrawal"],
  ] as const) {
    app.post(path, async (request, reply) => {
      const body = parseBody(requestBody, request.body, "body");
      const result = await eraseContact(deps, {
        contact: { email: body.email },
        kind,
        verification: { method: body.verifiedBy, reference: body.reference ?? null },
        actor: "api",
        source: "api",
      });
      return reply.code(200).send({ erased: true, ...result });
    });
  }
}
