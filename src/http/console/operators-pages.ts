/**
 * Operators (admin): the list, add, disable, reset password, through the
 * same domain functions as `mailsteward operators ...`, audited as the
 * signed-in admin. A new password is the answer to its POST (no redirect:
 * it must not travel in a URL), marked no-store so no cache keeps it.
 *   GET  /admin/operators
 *   POST /admin/operators                     {email, name, role}
 *   POST /admin/operators/:id/disable
 *   POST /admin/operators/:id/reset-password
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { isAppError } from "../../errors.ts";
import { addOperator } from "../../operators/add-operator.ts";
import { disableOperator } from "../../operators/disable-operator.ts";
import { listLastSignIns } from "../../operators/list-last-sign-ins.ts";
import { listOperators } from "../../operators/list-operators.ts";
import { resetPassword } from "../../operators/reset-password.ts";
import { parseBody } from "../admin/parse-body.ts";
import type { HttpDeps } from "../deps.ts";
import { httpStatusOf } from "../error-status.ts";
import {
  actorOf,
  areaRoles,
  csrfField,
  operatorOf,
  requireRole,
  sendPage,
  type ConsolePageInput,
} from "./console-kit.ts";
import { operatorsPath, renderOperatorsPage, type OperatorsView } from "./render-operators-page.ts";

const styles = ["inbox-mailboxes.css", "dashboard.css"];
const addForm = z.object({
  email: z.string().trim(),
  name: z.string().trim().max(200).default(""),
  role: z.string(),
});
const notices: Record<string, string> = {
  disabled: "Operator disabled: their sessions ended and their API tokens were revoked.",
};

type ById = { Params: { id: string } };

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const admin = { preHandler: requireRole(...areaRoles.operators) };

  app.get<{ Querystring: { notice?: string } }>(operatorsPath, admin, async (request, reply) => {
    const message = notices[request.query.notice ?? ""];
    return sendOperatorsPage(request, reply, deps, {
      notice: message ? { kind: "ok", message } : undefined,
    });
  });

  app.post(operatorsPath, admin, async (request, reply) => {
    const form = parseBody(addForm, request.body, "form");
    try {
      const { operator, password } = await addOperator(
        deps,
        { email: form.email, role: form.role, name: form.name || null },
        actorOf(operatorOf(request)),
      );
      return sendOperatorsPage(request, reply, deps, {
        secret: { email: operator.email, password: password!, what: "added" },
      });
    } catch (error) {
      return refused(request, reply, deps, error, form);
    }
  });

  app.post<ById>(`${operatorsPath}/:id/disable`, admin, async (request, reply) => {
    try {
      await disableOperator(deps, idOf(request.params.id), actorOf(operatorOf(request)));
    } catch (error) {
      return refused(request, reply, deps, error);
    }
    return reply.redirect(`${operatorsPath}?notice=disabled`, 303);
  });

  app.post<ById>(`${operatorsPath}/:id/reset-password`, admin, async (request, reply) => {
    try {
      const { operator, password } = await resetPassword(
        deps,
        idOf(request.params.id),
        actorOf(operatorOf(request)),
      );
      return sendOperatorsPage(request, reply, deps, {
        secret: { email: operator.email, password: password!, what: "reset" },
      });
    } catch (error) {
      return refused(request, reply, deps, error);
    }
  });
}

/** An id from the path; anything else is an address to findOperator, which refuses it by name. */
function idOf(text: string): number | string {
  return /^\d{1,9}$/.test(text) ? Number(text) : text;
}

async function refused(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: HttpDeps,
  error: unknown,
  values?: OperatorsView["values"],
): Promise<FastifyReply> {
  if (!isAppError(error) || httpStatusOf(error.code) >= 500) throw error;
  return sendOperatorsPage(request, reply, deps, {
    notice: { kind: "error", message: error.message },
    values,
    status: httpStatusOf(error.code),
  });
}

async function sendOperatorsPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: HttpDeps,
  extra: {
    notice?: ConsolePageInput["notice"];
    secret?: OperatorsView["secret"];
    values?: OperatorsView["values"];
    status?: number;
  },
): Promise<FastifyReply> {
  const operators = await listOperators(deps.db);
  const lastSignIns = await listLastSignIns(
    deps.db,
    operators.map((o) => o.id),
  );
  const view: OperatorsView = {
    operators,
    lastSignIns,
    selfId: operatorOf(request).id,
    now: deps.clock.now(),
    secret: extra.secret,
    values: extra.values,
  };
  if (extra.secret) reply.header("cache-control", "no-store");
  return sendPage(
    request,
    reply,
    {
      title: "Operators",
      area: "operators",
      notice: extra.notice,
      body: renderOperatorsPage(view, csrfField(request)),
      styles,
    },
    extra.status ?? 200,
  );
}
