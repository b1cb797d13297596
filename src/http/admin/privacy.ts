import { apiActorOf } from "../api-access.ts";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { applyRetention } from "../../privacy/apply-retention.ts";
import { correctContact } from "../../privacy/correct-contact.ts";
import { eraseContact } from "../../privacy/erase-contact.ts";
import { exportContact } from "../../privacy/export-contact.ts";
import { listPrivacyRequests } from "../../privacy/list-privacy-requests.ts";
import { queryAudit } from "../../privacy/query-audit.ts";
import { describeDecision, findContactRetention } from "../../privacy/find-contact-retention.ts";
import type { HttpDeps } from "../deps.ts";
import { parseBody } from "./parse-body.ts";

const requestBody = z.object({
  email: z.string().min(3),
  verifiedBy: z.string().min(1, 'say how the requester was verified, e.g. "signed-letter"'),
  reference: z.string().max(200).nullish(),
});

/**
 * Data-subject requests on the admin API:
 *   POST /api/privacy/erasures     {email, verifiedBy, reference?}  erase (art. 17)
 *   POST /api/privacy/withdrawals  {email, verifiedBy, reference?}  consent withdrawn: erase too
 *   POST /api/privacy/exports      {email, verifiedBy, reference?}  everything held, as JSON
 *   POST /api/privacy/corrections  {email, changes: {field: value}, verifiedBy, reference?}
 *   GET  /api/privacy/requests?open=true                  requests with state and deadline
 *   GET  /api/audit?subject=&action=&actor=&since=&until=&limit=   the audit log, newest first
 *   GET  /api/contacts/:id/retention                  which rule keeps the contact, until when
 *   GET  /api/privacy/retention?withinDays=N          dry run: who would be erased (by then), why
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
        actor: apiActorOf(request),
        source: "api",
      });
      return reply.code(200).send({ erased: true, ...result });
    });
  }

  app.get<{ Params: { id: string } }>("/contacts/:id/retention", async (request) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id <= 0)
      throw new AppError(
        "invalid_input",
        `contact id "${request.params.id}" is not valid; expected a positive integer`,
      );
    const r = await findContactRetention(deps, { id });
    return { ...r, summary: describeDecision(r.decision) };
  });

  app.get("/privacy/retention", async (request) => {
    const { withinDays } = parseBody(
      z.object({ withinDays: z.coerce.number().int().min(0).max(3650).default(0) }),
      request.query,
      "query",
    );
    const now = deps.clock.now();
    const result = await applyRetention(deps, {
      dryRun: true,
      actor: apiActorOf(request),
      horizon: withinDays > 0 ? new Date(now.getTime() + withinDays * 86_400_000) : undefined,
    });
    return result;
  });

  app.post("/privacy/exports", async (request) => {
    const body = parseBody(requestBody, request.body, "body");
    return exportContact(deps, {
      email: body.email,
      verification: { method: body.verifiedBy, reference: body.reference ?? null },
      actor: apiActorOf(request),
    });
  });

  app.post("/privacy/corrections", async (request) => {
    const body = parseBody(
      requestBody.extend({ changes: z.record(z.string(), z.string().nullable()) }),
      request.body,
      "body",
    );
    return correctContact(deps, {
      email: body.email,
      changes: body.changes,
      verification: { method: body.verifiedBy, reference: body.reference ?? null },
      actor: apiActorOf(request),
    });
  });

  app.get("/privacy/requests", async (request) => {
    const q = parseBody(
      z.object({ open: z.enum(["true", "false"]).optional() }),
      request.query,
      "query",
    );
    return { requests: await listPrivacyRequests(deps, { open: q.open === "true" }) };
  });

  app.get("/audit", async (request) => {
    const q = parseBody(
      z.object({
        subject: z.string().min(1).optional(),
        action: z.string().min(1).optional(),
        actor: z.string().min(1).optional(),
        since: z.coerce.date().optional(),
        until: z.coerce.date().optional(),
        limit: z.coerce.number().int().min(1).max(10_000).optional(),
      }),
      request.query,
      "query",
    );
    return { entries: await queryAudit(deps, q) };
  });
}
