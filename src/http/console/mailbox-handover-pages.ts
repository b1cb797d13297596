/**
 * The console's offboarding handover (role it; admin):
 *   GET  /admin/mailboxes/handovers                          every handover
 *   GET  /admin/mailboxes/employees/:id/handover             start form, progress, report
 *   POST /admin/mailboxes/employees/:id/handover/dry-run     the selection, nothing changed
 *   POST /admin/mailboxes/employees/:id/handover/start       queue a mailbox.handover job
 *   GET  /admin/mailboxes/employees/:id/handover/progress    the progress section, for htmx polling
 * The job runs as "worker" (jobs/mailbox-handover.ts); who asked for it is the
 * console's own audit entry (handover.queued), with the dry run's count.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { openHandoverSession } from "../../adapters/imap-handover-session.ts";
import { callHandoverHook } from "../../adapters/handover-hook.ts";
import { AppError, isAppError } from "../../errors.ts";
import { findEmployee } from "../../mailboxes/find-employee.ts";
import type { HandoverReport } from "../../mailboxes/handover-report.ts";
import { listEmployees } from "../../mailboxes/list-employees.ts";
import { runHandover } from "../../mailboxes/run-handover.ts";
import { recordAudit } from "../../privacy/record-audit.ts";
import type { HttpDeps } from "../deps.ts";
import { httpStatusOf } from "../error-status.ts";
import { actorOf, areaRoles, csrfField, operatorOf, requireRole } from "./console-kit.ts";
import type { FormBody } from "./employee-form.ts";
import {
  handoverDryRunAction,
  handoverProgress,
  handoverQueuedAction,
  listHandovers,
} from "./handover-progress.ts";
import { employeeNotFound, idOf, noticeOf } from "./mailbox-directory-pages.ts";
import { handoverBody, handoverListBody, handoverProgressView } from "./mailbox-handover-views.ts";
import { mailboxPaths } from "./mailbox-paths.ts";
import { sendAreaPage } from "./send-area-page.ts";

type ById = { Params: { id: string } };

function handoverParams(body: FormBody): {
  successor: string;
  all: boolean;
  expected: number | null;
} {
  const one = (name: string) => {
    const v = body[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() ?? "";
  };
  const expected = Number(one("expected"));
  return {
    successor: one("successor"),
    all: one("all") === "1",
    expected: one("expected") && Number.isSafeInteger(expected) ? expected : null,
  };
}

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const allowed = { preHandler: requireRole(...areaRoles.mailboxes) };

  async function showHandover(
    request: FastifyRequest<ById>,
    reply: FastifyReply,
    extra: {
      dryRun?: { report: HandoverReport; successor: string; all: boolean };
      error?: string;
    } = {},
    status = 200,
  ): Promise<FastifyReply> {
    const id = idOf(request);
    const employees = await listEmployees(deps.db);
    const employee = employees.find((e) => e.id === id);
    if (!employee) return employeeNotFound(request, reply);
    return sendAreaPage(
      request,
      reply,
      {
        title: `Handover of ${employee.address}`,
        area: "mailboxes",
        notice: noticeOf(request),
        body: handoverBody({
          employee,
          employees,
          progress: await handoverProgress(deps.db, employee.id),
          csrf: csrfField(request),
          ...extra,
        }),
      },
      status,
    );
  }

  /** The successor named in the form: a colleague who has not departed, and not the employee. */
  async function successorOf(employeeId: number, ref: string) {
    if (!ref)
      throw new AppError(
        "invalid_input",
        "choose a successor: the colleague who receives the mail",
      );
    const successor = await findEmployee(deps.db, ref);
    if (successor.id === employeeId)
      throw new AppError(
        "invalid_input",
        `employee ${employeeId} cannot hand over to themself; choose a colleague`,
      );
    return successor;
  }

  app.get(mailboxPaths.handovers, allowed, async (request, reply) =>
    sendAreaPage(request, reply, {
      title: "Handovers",
      area: "mailboxes",
      body: handoverListBody(await listHandovers(deps.db)),
    }),
  );

  app.get<ById>("/admin/mailboxes/employees/:id/handover", allowed, (request, reply) =>
    showHandover(request, reply),
  );

  app.get<ById>(
    "/admin/mailboxes/employees/:id/handover/progress",
    allowed,
    async (request, reply) => {
      const id = idOf(request);
      if (id === null) return reply.code(404).send();
      return reply
        .type("text/html; charset=utf-8")
        .send(handoverProgressView(id, await handoverProgress(deps.db, id)).value);
    },
  );

  app.post<ById>(
    "/admin/mailboxes/employees/:id/handover/dry-run",
    allowed,
    async (request, reply) => {
      const id = idOf(request);
      if (id === null) return employeeNotFound(request, reply);
      const params = handoverParams((request.body ?? {}) as FormBody);
      const actor = actorOf(operatorOf(request));
      try {
        const successor = await successorOf(id, params.successor);
        const report = await runHandover(
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
            actor,
          },
          { employee: id, successor: successor.id, all: params.all, dryRun: true },
        );
        await recordAudit(deps.db, {
          actor,
          action: handoverDryRunAction,
          subjectType: "employee",
          subjectId: id,
          detail: {
            successorId: successor.id,
            all: params.all,
            selected: report.selected,
            selectedBytes: report.selectedBytes,
          },
        });
        return showHandover(request, reply, {
          dryRun: { report, successor: String(successor.id), all: params.all },
        });
      } catch (error) {
        if (!isAppError(error)) throw error;
        return showHandover(request, reply, { error: error.message }, httpStatusOf(error.code));
      }
    },
  );

  app.post<ById>(
    "/admin/mailboxes/employees/:id/handover/start",
    allowed,
    async (request, reply) => {
      const id = idOf(request);
      if (id === null) return employeeNotFound(request, reply);
      const params = handoverParams((request.body ?? {}) as FormBody);
      try {
        const employee = await findEmployee(deps.db, id);
        const successor = await successorOf(id, params.successor);
        if (successor.status === "departed")
          throw new AppError(
            "invalid_input",
            `successor ${successor.id} has departed; choose an active colleague`,
          );
        // The job would refuse this too, but only in the worker's log: say it here.
        const open = await deps.db.handover.findFirst({
          where: { employeeId: employee.id },
          orderBy: { id: "desc" },
          select: { id: true, status: true, successorId: true },
        });
        if (open && open.status !== "completed" && open.successorId !== successor.id)
          throw new AppError(
            "conflict",
            `employee ${employee.id} is already being handed over to employee ${open.successorId} (handover ${open.id}, ${open.status}); choose that successor to finish it`,
          );
        await deps.queue.now("mailbox.handover", {
          employee: employee.id,
          successor: successor.id,
          all: params.all,
        });
        await recordAudit(deps.db, {
          actor: actorOf(operatorOf(request)),
          action: handoverQueuedAction,
          subjectType: "employee",
          subjectId: employee.id,
          detail: { successorId: successor.id, all: params.all, expected: params.expected },
        });
        return reply.redirect(`${mailboxPaths.handover(employee.id)}?notice=handover-queued`, 303);
      } catch (error) {
        if (!isAppError(error)) throw error;
        if (error.code === "not_found") return employeeNotFound(request, reply);
        return showHandover(request, reply, { error: error.message }, httpStatusOf(error.code));
      }
    },
  );
}
