/**
 * The jobs page (admin): our own page over Agenda's table rather than
 * Agendash, which would bring Express into Fastify and its own scripts past
 * the console's CSP (README, "The console"). Running a failed job again and
 * removing one are POSTs with the console's CSRF token, audited as the
 * operator (src/job-queue/).
 *   GET  /admin/jobs
 *   POST /admin/jobs/:id/retry
 *   POST /admin/jobs/:id/remove
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isAppError } from "../../errors.ts";
import { countJobsByName, listFailedJobs } from "../../job-queue/agenda-jobs.queries.ts";
import { removeFailedJob } from "../../job-queue/remove-failed-job.ts";
import { retryFailedJob } from "../../job-queue/retry-failed-job.ts";
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
import { overdueAfterMs } from "./load-dashboard.ts";
import { jobsPath, renderJobsPage } from "./render-jobs-page.ts";

const failedLimit = 100;
const styles = ["inbox-mailboxes.css", "dashboard.css"];

const notices: Record<string, string> = {
  retried: "The job is queued to run again; a worker takes it within seconds.",
  removed: "The failed job was removed.",
  "removed-repeating":
    "The failed job was removed. It repeats on a schedule: a worker creates it again when it next starts.",
};

type ById = { Params: { id: string } };

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const admin = { preHandler: requireRole(...areaRoles.jobs) };

  app.get<{ Querystring: { notice?: string } }>(jobsPath, admin, async (request, reply) => {
    const message = notices[request.query.notice ?? ""];
    return sendJobsPage(request, reply, deps, message ? { kind: "ok", message } : undefined);
  });

  const action = (name: "retry" | "remove", run: (id: string, actor: string) => Promise<string>) =>
    app.post<ById>(`${jobsPath}/:id/${name}`, admin, async (request, reply) => {
      try {
        const notice = await run(request.params.id, actorOf(operatorOf(request)));
        return reply.redirect(`${jobsPath}?notice=${notice}`, 303);
      } catch (error) {
        if (!isAppError(error) || httpStatusOf(error.code) >= 500) throw error;
        const notice = { kind: "error" as const, message: error.message };
        return sendJobsPage(request, reply, deps, notice, httpStatusOf(error.code));
      }
    });
  action("retry", async (id, actor) => {
    await retryFailedJob(deps, id, actor);
    return "retried";
  });
  action("remove", async (id, actor) => {
    const removed = await removeFailedJob(deps, id, actor);
    return removed.repeating ? "removed-repeating" : "removed";
  });
}

async function sendJobsPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: HttpDeps,
  notice: ConsolePageInput["notice"],
  status = 200,
): Promise<FastifyReply> {
  const now = deps.clock.now();
  const view = deps.config.agendaMongoUrl
    ? null
    : {
        counts: await countJobsByName(deps.db, {
          now,
          lockLifetimeMs: deps.config.jobLockLifetimeMs,
          overdueAfterMs,
        }),
        failed: await listFailedJobs(deps.db, { now, limit: failedLimit }),
        failedLimit,
      };
  return sendPage(
    request,
    reply,
    { title: "Jobs", area: "jobs", notice, body: renderJobsPage(view, csrfField(request)), styles },
    status,
  );
}
