/**
 * The dashboard: the sections load-dashboard.ts loaded for the operator's
 * role, each linking to the page where it can be acted on. Pure: data in,
 * escaped HTML out.
 */
import type { MailboxStatus } from "../../inbox/inbox-status.ts";
import type { JobNameCounts } from "../../job-queue/agenda-jobs.queries.ts";
import { html, type Html } from "./console-kit.ts";
import { inboxPaths } from "./inbox-dialogue-views.ts";
import { mailboxStatusTable } from "./inbox-event-views.ts";
import { bounceVerdicts } from "./list-bounce-events.ts";
import type { DailyActivity } from "./list-daily-activity.ts";
import { activityDays, bounceDays, type DashboardView } from "./load-dashboard.ts";
import { renderBarChart } from "./render-bar-chart.ts";
import { renderLiveCampaigns } from "./render-live-campaigns.ts";
import { badge, count, when } from "./view-helpers.ts";

export const setupChecksPath = "/admin/dashboard/checks";

function section(id: string, title: string, body: Html): Html {
  return html`<section aria-labelledby="${id}-heading" id="${id}">
    <h2 id="${id}-heading">${title}</h2>
    ${body}
  </section>`;
}

function activityChart(days: readonly DailyActivity[]): Html {
  const day = (at: Date) => at.toISOString().slice(0, 10);
  return renderBarChart({
    id: "activity-chart",
    className: "activity",
    title: `Newsletters sent and people unsubscribing, last ${activityDays} days`,
    perBar: "1 day",
    series: [
      { name: "sent", colour: "#0a58ca", colourName: "blue" },
      { name: "unsubscribed", colour: "#b42318", colourName: "red" },
    ],
    layout: "grouped",
    points: days.map((d) => ({ at: d.day, values: [d.sent, d.unsubscribed] })),
    axisLabel: (at) => `from ${day(at)}`,
    rowHeading: "Day (UTC)",
    rowLabel: day,
    tableCaption: "Newsletters sent and people unsubscribing per day",
    empty: "",
  });
}

function bounceSummary(bounces: NonNullable<DashboardView["bounces"]>): Html {
  const link = (query: string) => `${inboxPaths.bounces}?from=${bounces.since}${query}`;
  const kinds = [
    ...bounceVerdicts.map((v) => ({
      label: `${v} bounce`,
      n: bounces.totals[v] ?? 0,
      q: `&verdict=${v}`,
    })),
    { label: "complaint", n: bounces.totals.complaint ?? 0, q: "&type=complaint" },
  ];
  const total = kinds.reduce((sum, k) => sum + k.n, 0);
  return html`<p>
      <strong>${count(total)}</strong> since ${bounces.since}:
      <a href="${link("")}">all bounces and complaints</a>.
    </p>
    <ul class="counts">
      ${kinds.map(
        (k) =>
          html`<li>
            <a href="${link(k.q)}"
              ><strong>${count(k.n)}</strong> ${k.label}${k.n === 1 ? "" : "s"}</a
            >
          </li>`,
      )}
    </ul>`;
}

function jobSummary(counts: readonly JobNameCounts[]): Html {
  const sum = (key: "due" | "overdue" | "later" | "running" | "stale" | "failed") =>
    counts.reduce((n, c) => n + c[key], 0);
  const next = counts
    .map((c) => c.nextRunAt)
    .filter((d): d is Date => d !== null)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  const [due, overdue, running, stale, failed] = [
    sum("due"),
    sum("overdue"),
    sum("running"),
    sum("stale"),
    sum("failed"),
  ];
  return html`<ul class="counts">
      <li>
        ${overdue > 0 ? badge("overdue", "bad") : ""} <strong>${count(due)}</strong> due
        ${overdue > 0 ? html`(${count(overdue)} waiting over a minute)` : ""}
      </li>
      <li>
        <strong>${count(running)}</strong> running
        ${stale > 0 ? html`(${badge(`${count(stale)} with a lapsed lock`, "warn")})` : ""}
      </li>
      <li>${failed > 0 ? badge("failed", "bad") : ""} <strong>${count(failed)}</strong> failed</li>
      <li><strong>${count(sum("later"))}</strong> scheduled later</li>
    </ul>
    <p>
      ${next ? html`Next run ${when(next)}. ` : ""}<a href="/admin/jobs">The jobs page</a> has them
      by name, and the failed ones to run again or remove.
    </p>`;
}

function watcherTable(watchers: readonly MailboxStatus[]): Html {
  return html`${mailboxStatusTable(watchers)}
    <p><a href="${inboxPaths.mailboxes}">Watched mailboxes</a> (updates every 10 seconds)</p>`;
}

const setupPlaceholder = html`<div
  hx-get="${setupChecksPath}"
  hx-trigger="load"
  hx-swap="outerHTML"
>
  <p>
    Checking the set-up (SMTP, DKIM, the public address, the watched mailboxes)…
    <a href="${setupChecksPath}">Open the checks</a>
  </p>
</div>`;

export function renderDashboard(view: DashboardView): Html {
  const { campaigns, activity, bounces, watchers, jobs } = view;
  const mongo = html`<p>
    The job queue is on MongoDB (AGENDA_MONGODB_URL); the console reads it only from PostgreSQL.
  </p>`;
  return html`${campaigns && renderLiveCampaigns(campaigns)}
  ${activity && section("activity", `Sends and unsubscribes, last ${activityDays} days`, activityChart(activity))}
  ${bounces && section("bounces", `Bounces and complaints, last ${bounceDays} days`, bounceSummary(bounces))}
  ${watchers && section("watchers", "Inbox watchers", watcherTable(watchers))}
  ${jobs !== undefined && section("jobs", "Job queue", jobs ? jobSummary(jobs.counts) : mongo)}
  ${view.setupChecks && section("setup", "Set-up checks", setupPlaceholder)}`;
}
