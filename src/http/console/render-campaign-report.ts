/**
 * A campaign's report: progress (sent, failed, uncertain, rate, time left),
 * counts per delivery state, bounces by kind, unsubscribes attributed to the
 * campaign, failures with the server's answer, and the send over time as an
 * SVG chart with the same figures in a table (the chart is a picture; the
 * table is what a screen reader or a copy-paste gets). While the campaign is
 * scheduled or sending the whole block polls itself every 2 s (htmx).
 */
import type { CampaignOutcomes } from "../../newsletters/campaign-outcomes.ts";
import type { CampaignReport } from "../../newsletters/campaign-report.ts";
import { html, type Html } from "./console-kit.ts";
import { renderBarChart } from "./render-bar-chart.ts";
import { statusBadge } from "./render-campaign-list.ts";
import { renderSendProgress } from "./render-send-progress.ts";
import { sendProgress } from "./send-progress.ts";
import { count, table, when } from "./view-helpers.ts";

export interface ReportView {
  report: CampaignReport;
  outcomes: CampaignOutcomes;
  /** the audience count when the page was opened: the 100% of the progress bar while sending */
  expected: number;
  now: Date;
}

export function renderCampaignReport(view: ReportView): Html {
  const { report, outcomes, now } = view;
  const c = report.counts;
  const progress = sendProgress({
    status: report.status,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    counts: c,
    expected: view.expected,
    now,
  });
  const live = progress.live;
  const polling = live
    ? html`hx-get="/admin/campaigns/${report.slug}/report?live=1&expected=${view.expected}"
      hx-trigger="every 2s" hx-swap="outerHTML"`
    : "";
  return html`<div id="report" ${polling}>
    <section aria-labelledby="progress-heading">
      <h2 id="progress-heading">Progress</h2>
      <p>
        ${statusBadge(report.status)}
        ${live ? html`<span class="muted">(updates every 2 seconds)</span>` : ""}
      </p>
      ${renderSendProgress(progress, { labelledBy: "progress-heading", id: "send-progress" })}
      <p class="muted">
        Scheduled ${when(report.scheduledAt) || "—"} · started ${when(report.startedAt) || "—"} ·
        finished ${when(report.finishedAt) || "—"}
      </p>
    </section>
    <div class="report-grid">
      <section aria-labelledby="states-heading">
        <h2 id="states-heading">Deliveries by state</h2>
        ${table({
          caption: "Messages per delivery state",
          headers: ["State", "Messages"],
          rows: Object.entries(c)
            .filter(([k]) => k !== "total")
            .map(
              ([k, v]) =>
                html`<tr>
                  <td>${k}</td>
                  <td>${count(v)}</td>
                </tr>`,
            ),
          empty: "",
        })}
      </section>
      <section aria-labelledby="bounces-heading">
        <h2 id="bounces-heading">Bounces by kind</h2>
        ${table({
          caption: "Delivery reports (DSNs) read by the inbox",
          headers: ["Kind", "Bounces"],
          rows: (["hard", "soft", "policy", "unknown"] as const).map(
            (k) =>
              html`<tr>
                <td>${k}</td>
                <td>${count(outcomes.bounces[k])}</td>
              </tr>`,
          ),
          empty: "",
        })}
      </section>
      <section aria-labelledby="unsub-heading">
        <h2 id="unsub-heading">Unsubscribes</h2>
        <p>
          <strong>${count(outcomes.unsubscribes.total)}</strong> people unsubscribed after this
          campaign reached them (within 30 days, before any later campaign).
        </p>
        ${table({
          caption: "Unsubscribes by how",
          headers: ["How", "People"],
          rows: outcomes.unsubscribes.bySource.map(
            (s) =>
              html`<tr>
                <td>${s.source}</td>
                <td>${count(s.count)}</td>
              </tr>`,
          ),
          empty: "No unsubscribes attributed to this campaign.",
        })}
      </section>
    </div>
    <section aria-labelledby="chart-heading">
      <h2 id="chart-heading">The send over time</h2>
      ${renderTimeline(outcomes.timeline)}
    </section>
    <section aria-labelledby="failures-heading">
      <h2 id="failures-heading">Failures</h2>
      ${table({
        caption: "Messages the mail server refused, with its answer",
        headers: ["Contact", "Attempts", "The server's answer"],
        rows: report.failures.map(
          (f) =>
            html`<tr>
              <td><a href="/admin/contacts/${f.contactId}">#${f.contactId}</a></td>
              <td>${f.attempts}</td>
              <td><code>${f.response ?? ""}</code></td>
            </tr>`,
        ),
        empty: "No failures.",
      })}
      ${report.moreFailures > 0 ? html`<p class="muted">and ${count(report.moreFailures)} more.</p>` : ""}
      ${
        report.uncertain.length > 0
          ? html`<p>
              ${count(report.uncertain.length)} messages are <strong>uncertain</strong>: handed to
              the mail server when a worker stopped, never re-sent automatically (see
              <code>mailsteward campaign report ${report.slug}</code>).
            </p>`
          : ""
      }
    </section>
  </div>`;
}

function renderTimeline(timeline: CampaignOutcomes["timeline"]): Html {
  const perBar = bucketLabel(timeline.bucketSeconds);
  return renderBarChart({
    id: "chart",
    className: "timeline",
    title: "Messages sent over time",
    perBar,
    unit: "messages",
    series: [
      { name: "sent", colour: "#0a58ca", colourName: "blue" },
      { name: "failed", colour: "#b42318", colourName: "red" },
    ],
    layout: "stacked",
    points: timeline.points.map((p) => ({ at: p.at, values: [p.sent, p.failed] })),
    axisLabel: (at) => `${at.toISOString().slice(11, 19)} UTC`,
    rowHeading: "From (UTC)",
    rowLabel: (at) => at.toISOString().slice(0, 19).replace("T", " "),
    tableCaption: `Messages per ${perBar}`,
    empty: "Nothing sent yet.",
  });
}

function bucketLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  return `${seconds / 3600} h`;
}
