import { apiActorOf } from "../api-access.ts";
import type { FastifyInstance } from "fastify";
import { addEmployee } from "../../mailboxes/add-employee.ts";
import { checkMailbox } from "../../mailboxes/check-mailbox.ts";
import { cleanupMailbox } from "../../mailboxes/cleanup-mailbox.ts";
import { queueCleanup } from "../../mailboxes/queue-cleanup.ts";
import { cleanupPolicy } from "../../mailboxes/cleanup-policy.ts";
import { employeeView } from "../../mailboxes/employee-view.ts";
import { findEmployee } from "../../mailboxes/find-employee.ts";
import { listEmployees } from "../../mailboxes/list-employees.ts";
import { removeEmployee } from "../../mailboxes/remove-employee.ts";
import { updateEmployee } from "../../mailboxes/update-employee.ts";
import type { HttpDeps } from "../deps.ts";

type ByRef = { Params: { ref: string } };

/**
 * The mailbox directory on the admin API (`:ref` is an id or an address):
 *   GET    /api/employees?status=active
 *   POST   /api/employees {address, imapHost, imapPort, tlsMode, login?, secretRef, status?, successor?, cleanupPolicy?}
 *   GET    /api/employees/:ref          (with the effective cleanup policy)
 *   PATCH  /api/employees/:ref {any field but address; successor/cleanupPolicy null clears}
 *   DELETE /api/employees/:ref?force=true
 *   GET    /api/employees/:ref/mailbox  (logs in: capabilities and folders)
 *   POST   /api/employees/:ref/cleanup {dryRun?}  dry run: the report and every message that would go;
 *          otherwise 202 {runId}: a worker runs it now
 *   POST   /api/cleanup/reviews {employeeIds?}   202: the yearly review digests go out now
 */
export function register(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: { status?: string } }>("/employees", async (request) => ({
    employees: await listEmployees(deps.db, { status: request.query.status }),
  }));

  app.post("/employees", async (request, reply) =>
    reply.code(201).send(await addEmployee(deps, request.body, apiActorOf(request))),
  );

  app.get<ByRef>("/employees/:ref", async (request) => {
    const found = await findEmployee(deps.db, request.params.ref);
    const successor = found.successorId
      ? await deps.db.employee.findUnique({
          where: { id: found.successorId },
          select: { id: true, address: true },
        })
      : null;
    return {
      ...employeeView({ ...found, successor }),
      effectiveCleanupPolicy: cleanupPolicy(deps.config, found.cleanupPolicy, found.id),
    };
  });

  app.patch<ByRef>("/employees/:ref", async (request) =>
    updateEmployee(deps, request.params.ref, request.body, apiActorOf(request)),
  );

  app.delete<ByRef & { Querystring: { force?: string } }>("/employees/:ref", async (request) =>
    removeEmployee(deps, request.params.ref, {
      actor: apiActorOf(request),
      force: request.query.force === "true",
    }),
  );

  app.get<ByRef>("/employees/:ref/mailbox", async (request) =>
    checkMailbox(deps, request.params.ref),
  );

  app.post<ByRef>("/employees/:ref/cleanup", async (request, reply) => {
    const body = (request.body ?? {}) as { dryRun?: unknown };
    if (body.dryRun === true) {
      const { report, selections } = await cleanupMailbox(deps, request.params.ref, {
        actor: apiActorOf(request),
        dryRun: true,
      });
      return {
        ...report,
        messages: selections.map((s) => ({
          folder: s.path,
          uidValidity: s.uidValidity,
          messages: s.messages,
        })),
      };
    }
    return reply.code(202).send(await queueCleanup(deps, request.params.ref, apiActorOf(request)));
  });

  app.post("/cleanup/reviews", async (request, reply) => {
    const body = (request.body ?? {}) as { employeeIds?: unknown };
    const ids = Array.isArray(body.employeeIds) ? body.employeeIds.map(Number) : undefined;
    await deps.queue.now("mailbox.cleanup-review", ids ? { employeeIds: ids } : {});
    return reply.code(202).send({ queued: "mailbox.cleanup-review" });
  });
}
