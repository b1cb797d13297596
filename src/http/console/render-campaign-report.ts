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
import { statusBadge } from "./render-campaign-list.ts";
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
  const done = c.sent + c.failed + c.uncertain + c.skipped + (c.bounced ?? 0);
  const finished = ["sent", "cancelled", "failed"].includes(report.status);
  const total = finished ? Math.max(c.total, 1) : Math.max(view.expected, c.total, 1);
  const percent = finished && report.status === "sent" ? 100 : Math.floor((done / total) * 100);
  const live = report.status === "scheduled" || report.status === "sending";
  const elapsed = report.startedAt
    ? ((report.finishedAt ?? now).getTime() - report.startedAt.getTime()) / 1000
    : 0;
  const rate = elapsed > 0 ? done / elapsed : 0;
  const left = live && rate > 0 ? Math.max(0, total - done) / rate : null;
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
      <progress
        id="send-progress"
        max="100"
        value="${percent}"
        aria-labelledby="progress-heading"
      ></progress>
      <p class="progress-figure">
        <strong data-testid="percent">${percent}%</strong> · ${count(done)} of ${count(total)}
        handled · ${count(c.sent)} sent · ${count(c.failed)} failed · ${count(c.uncertain)}
        uncertain${rate > 0 ? html` · ${rate.toFixed(1)} per second` : ""}${
          left !== null ? html` · about ${duration(left)} left` : ""
        }
      </p>
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
  const points = timeline.points;
  if (points.length === 0) return html`<p class="empty">Nothing sent yet.</p>`;
  const width = 640;
  const height = 160;
  const max = Math.max(1, ...points.map((p) => p.sent + p.failed));
  const bar = width / points.length;
  const label = `${bucketLabel(timeline.bucketSeconds)} per bar; the tallest bar is ${max} messages`;
  return html`<figure class="chart">
      <svg
        viewBox="0 0 ${width} ${height + 20}"
        role="img"
        aria-labelledby="chart-title chart-desc"
        class="timeline"
      >
        <title id="chart-title">Messages sent over time</title>
        <desc id="chart-desc">${label}. The table below has the same figures.</desc>
        <line
          x1="0"
          y1="${height}"
          x2="${width}"
          y2="${height}"
          stroke="#57606a"
          stroke-width="1"
        />
        ${points.map((p, i) => {
          const sentH = (p.sent / max) * height;
          const failH = (p.failed / max) * height;
          const x = i * bar + 1;
          const w = Math.max(1, bar - 2);
          return html`<rect
              x="${x}"
              y="${height - sentH}"
              width="${w}"
              height="${sentH}"
              fill="#0a58ca"
            />
            ${p.failed ? html`<rect x="${x}" y="${height - sentH - failH}" width="${w}" height="${failH}" fill="#b42318" />` : ""}`;
        })}
        <text x="0" y="${height + 16}" font-size="12" fill="#1f2328">
          ${points[0]!.at.toISOString().slice(11, 19)} UTC
        </text>
        <text x="${width}" y="${height + 16}" font-size="12" fill="#1f2328" text-anchor="end">
          ${label}
        </text>
      </svg>
      <figcaption>Blue: sent; red: failed.</figcaption>
    </figure>
    <details>
      <summary>The same figures as a table</summary>
      ${table({
        caption: `Messages per ${bucketLabel(timeline.bucketSeconds)}`,
        headers: ["From (UTC)", "Sent", "Failed"],
        rows: points.map(
          (p) =>
            html`<tr>
              <td>${p.at.toISOString().slice(0, 19).replace("T", " ")}</td>
              <td>${p.sent}</td>
              <td>${p.failed}</td>
            </tr>`,
        ),
        empty: "",
      })}
    </details>`;
}

function bucketLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  return `${seconds / 3600} h`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
