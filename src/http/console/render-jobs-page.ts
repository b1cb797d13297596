/**
 * /admin/jobs: Agenda's queue by job name (due, scheduled later, running,
 * failed, next run) and the failed jobs with their reason and payload, each
 * with a form to run it again or remove it. Pure: data in, escaped HTML out.
 */
import type { FailedJob, JobNameCounts } from "../../job-queue/agenda-jobs.queries.ts";
import { html, type Html } from "./console-kit.ts";
import { badge, count, postButton, table, when } from "./view-helpers.ts";

export const jobsPath = "/admin/jobs";

function nameRow(c: JobNameCounts): Html {
  return html`<tr>
    <th scope="row"><code>${c.name}</code></th>
    <td class="num">
      ${count(c.due)}${c.overdue > 0 ? html` ${badge(`${count(c.overdue)} overdue`, "bad")}` : ""}
    </td>
    <td class="num">${count(c.later)}</td>
    <td class="num">
      ${count(c.running)}${c.stale > 0 ? html` ${badge(`${count(c.stale)} lock lapsed`, "warn")}` : ""}
    </td>
    <td class="num">${c.failed > 0 ? badge(count(c.failed), "bad") : "0"}</td>
    <td>${when(c.nextRunAt) || "—"}</td>
  </tr>`;
}

function failedRow(job: FailedJob, csrf: Html): Html {
  const which = `${job.name} ${job.id}`;
  return html`<tr data-job="${job.id}">
    <th scope="row"><code>${job.name}</code><br /><span class="muted">${job.id}</span></th>
    <td>${when(job.failedAt)}</td>
    <td class="num">${job.failCount}</td>
    <td>${job.failReason ?? "no reason recorded"}</td>
    <td><code class="payload">${JSON.stringify(job.data ?? {})}</code></td>
    <td>
      ${job.repeatInterval ? html`every ${job.repeatInterval}; next ${when(job.nextRunAt) || "—"}` : "once"}
    </td>
    <td>
      <div class="row-actions">
        ${postButton({ action: `${jobsPath}/${job.id}/retry`, label: "Run again", csrf, hiddenLabel: which })}
        ${postButton({
          action: `${jobsPath}/${job.id}/remove`,
          label: "Remove",
          csrf,
          kind: "danger",
          hiddenLabel: which,
          confirm: `Remove the failed ${job.name} job? It will not run again${job.repeatInterval ? " until a worker next starts" : ""}.`,
        })}
      </div>
    </td>
  </tr>`;
}

export function renderJobsPage(
  view: {
    counts: readonly JobNameCounts[];
    failed: readonly FailedJob[];
    failedLimit: number;
  } | null,
  csrf: Html,
): Html {
  if (!view)
    return html`<p>
      The job queue is on MongoDB (<code>AGENDA_MONGODB_URL</code>); this page reads Agenda's
      <code>agenda_jobs</code> table in PostgreSQL only.
    </p>`;
  return html`<p class="muted">
      Agenda's queue in the database every worker shares. Due: waiting for a worker (overdue: over a
      minute). Running: held by a worker; a lapsed lock means that worker stopped, and another takes
      the job over. Failed: the last run threw; it stays until run again or removed.
    </p>
    <section aria-labelledby="names-heading">
      <h2 id="names-heading">Jobs by name</h2>
      ${table({
        caption: "Runs per job name",
        headers: ["Job", "Due", "Scheduled later", "Running", "Failed", "Next run"],
        rows: view.counts.map(nameRow),
        empty: "The queue is empty: no job is waiting, scheduled or running.",
      })}
    </section>
    <section aria-labelledby="failed-heading">
      <h2 id="failed-heading">Failed jobs</h2>
      <p class="muted">
        Payloads hold ids and mailbox names only. Running a job again queues it now: a worker takes
        it within seconds, and its outcome replaces the failure. Each action is in the audit log.
      </p>
      ${table({
        caption: `Failed jobs, the latest first${view.failed.length >= view.failedLimit ? ` (the first ${view.failedLimit})` : ""}`,
        headers: ["Job", "Failed", "Failures", "Reason", "Payload", "Schedule", "Actions"],
        rows: view.failed.map((job) => failedRow(job, csrf)),
        empty: "No job has failed.",
      })}
    </section>`;
}
