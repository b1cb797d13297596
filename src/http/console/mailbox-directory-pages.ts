/**
 * The console's mailbox directory (role it; admin). Every change is a POST
 * with the CSRF field, done by the domain function that audits it, with the
 * operator as the actor:
 *   GET  /admin/mailboxes                         employees, and the add form
 *   POST /admin/mailboxes/employees               add one
 *   GET  /admin/mailboxes/employees/:id           one employee: edit form, check, cleanup runs
 *   POST /admin/mailboxes/employees/:id           change (only the fields that differ)
 *   POST /admin/mailboxes/employees/:id/remove    remove from the directory (mailbox untouched)
 *   POST /admin/mailboxes/employees/:id/check     log in: capabilities, quota, folders
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isAppError, type AppError } from "../../errors.ts";
import { addEmployee } from "../../mailboxes/add-employee.ts";
import { checkMailbox, type MailboxCheck } from "../../mailboxes/check-mailbox.ts";
import { cleanupPolicy } from "../../mailboxes/cleanup-policy.ts";
import { listEmployees } from "../../mailboxes/list-employees.ts";
import { removeEmployee } from "../../mailboxes/remove-employee.ts";
import { updateEmployee } from "../../mailboxes/update-employee.ts";
import { recordAudit } from "../../privacy/record-audit.ts";
import type { HttpDeps } from "../deps.ts";
import { httpStatusOf } from "../error-status.ts";
import { actorOf, areaRoles, csrfField, html, operatorOf, requireRole } from "./console-kit.ts";
import { employeeChangesInput, newEmployeeInput, type FormBody } from "./employee-form.ts";
import { listCleanupRuns } from "./list-cleanup-runs.ts";
import { directoryBody, employeeBody } from "./mailbox-employee-views.ts";
import { mailboxPaths } from "./mailbox-paths.ts";
import { sendAreaPage } from "./send-area-page.ts";

type ById = { Params: { id: string } };

/** What a redirect's `?notice=` says; only these words, so a link cannot put text on the page. */
export const mailboxNotices: Record<string, string> = {
  added: "Employee added.",
  saved: "Changes saved.",
  removed: "Employee removed from the directory; the mailbox itself was not touched.",
  "review-queued": "The review digest is queued: a worker mails it now.",
  "reviews-queued": "The review digests are queued: a worker mails every active employee now.",
  "cleanup-queued": "The cleanup is queued: a worker deletes what the policy selects now.",
  "handover-queued": "The handover is queued: a worker starts it now. Its progress shows below.",
};

export function noticeOf(request: FastifyRequest): { kind: "ok"; message: string } | undefined {
  const key = (request.query as { notice?: string } | undefined)?.notice;
  const message = key ? mailboxNotices[key] : undefined;
  return message ? { kind: "ok", message } : undefined;
}

/** An id from the path, or null (a 404 follows). */
export function idOf(request: FastifyRequest<ById>): number | null {
  const id = Number(request.params.id);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function employeeNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendAreaPage(
    request,
    reply,
    {
      title: "Not found",
      area: "mailboxes",
      body: html`<p>There is no such employee.</p>
        <p><a href="${mailboxPaths.directory}">Back to the employees</a></p>`,
    },
    404,
  );
}

const statusOf = (error: AppError) => httpStatusOf(error.code);

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const allowed = { preHandler: requireRole(...areaRoles.mailboxes) };

  async function showEmployee(
    request: FastifyRequest<ById>,
    reply: FastifyReply,
    extra: { check?: MailboxCheck; checkError?: string; error?: string; values?: FormBody } = {},
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
        title: employee.address,
        area: "mailboxes",
        notice: noticeOf(request),
        body: employeeBody({
          employee,
          employees,
          policy: cleanupPolicy(deps.config, employee.cleanupPolicy, employee.id),
          runs: await listCleanupRuns(deps.db, { employeeId: employee.id, limit: 20 }),
          csrf: csrfField(request),
          ...extra,
        }),
      },
      status,
    );
  }

  app.get(mailboxPaths.directory, allowed, async (request, reply) =>
    sendAreaPage(request, reply, {
      title: "Employees' mailboxes",
      area: "mailboxes",
      notice: noticeOf(request),
      body: directoryBody({ employees: await listEmployees(deps.db), csrf: csrfField(request) }),
    }),
  );

  app.post(`${mailboxPaths.directory}/employees`, allowed, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    try {
      const added = await addEmployee(deps, newEmployeeInput(body), actorOf(operatorOf(request)));
      return reply.redirect(`${mailboxPaths.employee(added.id)}?notice=added`, 303);
    } catch (error) {
      if (!isAppError(error)) throw error;
      return sendAreaPage(
        request,
        reply,
        {
          title: "Employees' mailboxes",
          area: "mailboxes",
          body: directoryBody({
            employees: await listEmployees(deps.db),
            csrf: csrfField(request),
            values: body,
            error: error.message,
          }),
        },
        statusOf(error),
      );
    }
  });

  app.get<ById>("/admin/mailboxes/employees/:id", allowed, (request, reply) =>
    showEmployee(request, reply),
  );

  app.post<ById>("/admin/mailboxes/employees/:id", allowed, async (request, reply) => {
    const id = idOf(request);
    const body = (request.body ?? {}) as FormBody;
    const current =
      id === null ? undefined : (await listEmployees(deps.db)).find((e) => e.id === id);
    if (!current) return employeeNotFound(request, reply);
    try {
      await updateEmployee(
        deps,
        current.id,
        employeeChangesInput(body, current),
        actorOf(operatorOf(request)),
      );
      return reply.redirect(`${mailboxPaths.employee(current.id)}?notice=saved`, 303);
    } catch (error) {
      if (!isAppError(error)) throw error;
      return showEmployee(request, reply, { error: error.message, values: body }, statusOf(error));
    }
  });

  app.post<ById>("/admin/mailboxes/employees/:id/remove", allowed, async (request, reply) => {
    const id = idOf(request);
    if (id === null) return employeeNotFound(request, reply);
    try {
      await removeEmployee(deps, id, { actor: actorOf(operatorOf(request)) });
      return reply.redirect(`${mailboxPaths.directory}?notice=removed`, 303);
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.code === "not_found") return employeeNotFound(request, reply);
      return showEmployee(request, reply, { error: error.message }, statusOf(error));
    }
  });

  app.post<ById>("/admin/mailboxes/employees/:id/check", allowed, async (request, reply) => {
    const id = idOf(request);
    if (id === null) return employeeNotFound(request, reply);
    try {
      const check = await checkMailbox(deps, id);
      await recordAudit(deps.db, {
        actor: actorOf(operatorOf(request)),
        action: "mailbox.checked",
        subjectType: "employee",
        subjectId: id,
        detail: { cleanupReady: check.cleanupReady, folders: check.folders.length },
      });
      return showEmployee(request, reply, { check });
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.code === "not_found") return employeeNotFound(request, reply);
      // A refused login or an unreachable server is the check's answer, shown on the page.
      return showEmployee(request, reply, { checkError: error.message });
    }
  });
}
