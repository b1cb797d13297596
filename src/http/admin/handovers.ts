import { apiActorOf } from "../api-access.ts";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { openHandoverSession } from "../../adapters/imap-handover-session.ts";
import { callHandoverHook } from "../../adapters/handover-hook.ts";
import { AppError } from "../../errors.ts";
import { findEmployee } from "../../mailboxes/find-employee.ts";
import { runHandover } from "../../mailboxes/run-handover.ts";
import type { HttpDeps } from "../deps.ts";

const body = z.object({
  employee: z.union([z.string().min(1), z.number().int().positive()]),
  to: z.union([z.string().min(1), z.number().int().positive()]),
  all: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

/**
 * Offboarding handovers on the admin API:
 *   POST /api/handovers {employee, to, all?, dryRun?}  dryRun: the selection report now;
 *        otherwise 202 and a mailbox.handover job for a worker
 *   GET  /api/handovers/:employee                        the latest handover's status and report
 */
export function register(app: FastifyInstance, deps: HttpDeps): void {
  app.post("/handovers", async (request, reply) => {
    const parsed = body.safeParse(request.body ?? {});
    if (!parsed.success)
      throw new AppError(
        "invalid_input",
        `invalid handover request: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}; expected {"employee": id or address, "to": id or address, "all"?: boolean, "dryRun"?: boolean}`,
      );
    const { employee, to, all, dryRun } = parsed.data;
    // Both must exist before anything is queued: a typo is a 404 now, not a failed job later.
    const [from, successor] = [
      await findEmployee(deps.db, employee),
      await findEmployee(deps.db, to),
    ];
    if (dryRun)
      return runHandover(
        {
          db: deps.db,
          log: deps.log,
          clock: deps.clock,
          settings: deps.config.handover,
          openSession: openHandoverSession,
          callHook: callHandoverHook,
          secrets: {
            secretsDir: deps.config.mailboxes.secretsDir,
            tlsVerify: deps.config.mailboxes.tlsVerify,
          },
          actor: apiActorOf(request),
        },
        { employee: from.id, successor: successor.id, all, dryRun: true },
      );
    await deps.queue.now("mailbox.handover", { employee: from.id, successor: successor.id, all });
    return reply
      .code(202)
      .send({ queued: true, employeeId: from.id, successorId: successor.id, all });
  });

  app.get<{ Params: { employee: string } }>("/handovers/:employee", async (request) => {
    const employee = await findEmployee(deps.db, request.params.employee);
    const handover = await deps.db.handover.findFirst({
      where: { employeeId: employee.id },
      orderBy: { id: "desc" },
      select: {
        id: true,
        status: true,
        all: true,
        successorId: true,
        startedAt: true,
        verifiedAt: true,
        emptiedAt: true,
        finishedAt: true,
        report: true,
        _count: { select: { copies: true } },
      },
    });
    if (!handover)
      throw new AppError(
        "not_found",
        `employee ${employee.id} has no handover; start one with POST /api/handovers`,
      );
    return handover;
  });
}
