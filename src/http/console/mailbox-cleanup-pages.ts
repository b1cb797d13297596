/**
 * The console's mailbox cleanup (role it; admin):
 *   GET  /admin/mailboxes/cleanup                          policy, waiting deletions, digests, reports
 *   POST /admin/mailboxes/cleanup/reviews                  queue the review digests for every active employee
 *   POST /admin/mailboxes/employees/:id/cleanup/review     queue this employee's review digest
 *   POST /admin/mailboxes/employees/:id/cleanup/delete     queue a cleanup of this mailbox now (queueCleanup)
 * The review job mails the digest and schedules the deletion after the grace
 * period (send-cleanup-digests.ts); nothing is deleted by a review.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, isAppError } from "../../errors.ts";
import { findEmployee } from "../../mailboxes/find-employee.ts";
import { queueCleanup } from "../../mailboxes/queue-cleanup.ts";
import { recordAudit } from "../../privacy/record-audit.ts";
import type { HttpDeps } from "../deps.ts";
import { httpStatusOf } from "../error-status.ts";
import { actorOf, areaRoles, csrfField, html, operatorOf, requireRole } from "./console-kit.ts";
import { listCleanupRuns } from "./list-cleanup-runs.ts";
import { cleanupBody } from "./mailbox-cleanup-views.ts";
import { employeeNotFound, idOf, noticeOf } from "./mailbox-directory-pages.ts";
import { mailboxPaths } from "./mailbox-paths.ts";
import { sendAreaPage } from "./send-area-page.ts";

const reviewJob = "mailbox.cleanup-review";

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const allowed = { preHandler: requireRole(...areaRoles.mailboxes) };

  app.get(mailboxPaths.cleanup, allowed, async (request, reply) => {
    const [pending, digests, finished, interrupted] = await Promise.all([
      listCleanupRuns(deps.db, { statuses: ["review"], limit: 100 }),
      listCleanupRuns(deps.db, { digestSent: true, limit: 50 }),
      listCleanupRuns(deps.db, { statuses: ["done", "refused", "failed"], limit: 50 }),
      listCleanupRuns(deps.db, { statuses: ["deleting", "failed"], limit: 50 }),
    ]);
    return sendAreaPage(request, reply, {
      title: "Mailbox cleanup",
      area: "mailboxes",
      notice: noticeOf(request),
      body: cleanupBody({
        cleanup: deps.config.cleanup,
        pending,
        digests,
        finished,
        interrupted: interrupted.filter((r) => r.pending !== null),
        csrf: csrfField(request),
        now: deps.clock.now(),
      }),
    });
  });

  app.post(`${mailboxPaths.cleanup}/reviews`, allowed, async (request, reply) => {
    await deps.queue.now(reviewJob, {});
    await recordAudit(deps.db, {
      actor: actorOf(operatorOf(request)),
      action: "mailbox.cleanup.reviews-queued",
      detail: { employees: "all active" },
    });
    return reply.redirect(`${mailboxPaths.cleanup}?notice=reviews-queued`, 303);
  });

  app.post<{ Params: { id: string } }>(
    "/admin/mailboxes/employees/:id/cleanup/review",
    allowed,
    async (request, reply) => {
      const id = idOf(request);
      if (id === null) return employeeNotFound(request, reply);
      return withEmployee(request, reply, id, async () => {
        const employee = await findEmployee(deps.db, id);
        if (employee.status !== "active")
          throw new AppError(
            "refused",
            `employee ${id} is ${employee.status}: only active employees get a review digest; the handover decides what happens to this mailbox`,
          );
        await deps.queue.now(reviewJob, { employeeIds: [id] });
        await recordAudit(deps.db, {
          actor: actorOf(operatorOf(request)),
          action: "mailbox.cleanup.review-queued",
          subjectType: "employee",
          subjectId: id,
        });
        return "review-queued";
      });
    },
  );

  app.post<{ Params: { id: string } }>(
    "/admin/mailboxes/employees/:id/cleanup/delete",
    allowed,
    async (request, reply) => {
      const id = idOf(request);
      if (id === null) return employeeNotFound(request, reply);
      return withEmployee(request, reply, id, async () => {
        await queueCleanup(deps, id, actorOf(operatorOf(request)));
        return "cleanup-queued";
      });
    },
  );
}

/** Runs an action on one employee, then back to their page with a notice, or the refusal shown there. */
async function withEmployee(
  request: FastifyRequest,
  reply: FastifyReply,
  id: number,
  action: () => Promise<string>,
): Promise<FastifyReply> {
  try {
    const notice = await action();
    return reply.redirect(`${mailboxPaths.employee(id)}?notice=${notice}`, 303);
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code === "not_found") return employeeNotFound(request, reply);
    return sendAreaPage(
      request,
      reply,
      {
        title: "Not done",
        area: "mailboxes",
        notice: { kind: "error", message: error.message },
        body: html`<p><a href="${mailboxPaths.employee(id)}">Back to the employee</a></p>`,
      },
      httpStatusOf(error.code),
    );
  }
}
