/**
 * The dashboard's campaigns: each one sending now with its progress, and the
 * next scheduled ones. The block refreshes itself (htmx) every 2 s while a
 * campaign sends, every 30 s otherwise so that one starting shows up; the
 * audience counted for each sending campaign travels in the polling URL, as
 * on the report page, so a refresh does not count it again.
 */
import { html, type Html } from "./console-kit.ts";
import type { LiveCampaign, SendingCampaign } from "./list-live-campaigns.ts";
import { audienceText } from "./render-campaign-list.ts";
import { renderSendProgress } from "./render-send-progress.ts";
import { sendProgress } from "./send-progress.ts";
import { table, when } from "./view-helpers.ts";

export const liveCampaignsPath = "/admin/dashboard/campaigns";

export interface LiveCampaignsView {
  sending: readonly SendingCampaign[];
  scheduled: readonly LiveCampaign[];
  /** campaign id -> its audience when first seen sending */
  expected: ReadonlyMap<number, number>;
  now: Date;
}

/** `12:500,13:800` for the polling URL, and back. */
function formatExpected(expected: ReadonlyMap<number, number>): string {
  return [...expected].map(([id, n]) => `${id}:${n}`).join(",");
}

export function parseExpected(text: string | undefined): Map<number, number> {
  const expected = new Map<number, number>();
  for (const pair of (text ?? "").split(",")) {
    const m = /^(\d{1,9}):(\d{1,12})$/.exec(pair);
    if (m) expected.set(Number(m[1]), Number(m[2]));
  }
  return expected;
}

function sendingCard(c: SendingCampaign, view: LiveCampaignsView): Html {
  const progress = sendProgress({
    status: c.status,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    counts: c.counts,
    expected: view.expected.get(c.id) ?? 0,
    now: view.now,
  });
  const heading = `sending-${c.id}`;
  return html`<article class="card" aria-labelledby="${heading}" data-campaign="${c.slug}">
    <h3 id="${heading}">${c.slug}</h3>
    <p>${c.subject}<br /><span class="muted">to ${audienceText(c.lists, c.segment)}</span></p>
    ${renderSendProgress(progress, { labelledBy: heading })}
    <p class="muted">
      Started ${when(c.startedAt) || "—"} ·
      <a href="/admin/campaigns/${c.slug}/report"
        >Report<span class="visually-hidden"> of ${c.slug}</span></a
      >
    </p>
  </article>`;
}

function scheduledRow(c: LiveCampaign): Html {
  return html`<tr>
    <td><a href="/admin/campaigns/${c.slug}">${c.slug}</a></td>
    <td>${c.subject}</td>
    <td>${audienceText(c.lists, c.segment)}</td>
    <td>${when(c.scheduledAt) || "as soon as a worker takes it"}</td>
  </tr>`;
}

export function renderLiveCampaigns(view: LiveCampaignsView): Html {
  const every = view.sending.length > 0 ? "2s" : "30s";
  const url = `${liveCampaignsPath}?expected=${formatExpected(view.expected)}`;
  return html`<div
    id="live-campaigns"
    hx-get="${url}"
    hx-trigger="every ${every}"
    hx-swap="outerHTML"
  >
    <section aria-labelledby="sending-heading">
      <h2 id="sending-heading">Sending now</h2>
      ${
        view.sending.length > 0
          ? html`<p class="muted">Updates every 2 seconds.</p>
              <div class="cards">${view.sending.map((c) => sendingCard(c, view))}</div>`
          : html`<p class="empty">No campaign is sending.</p>`
      }
    </section>
    <section aria-labelledby="scheduled-heading">
      <h2 id="scheduled-heading">Next scheduled</h2>
      ${table({
        caption: "Scheduled campaigns, the next first",
        headers: ["Campaign", "Subject", "Audience", "Starts"],
        rows: view.scheduled.map(scheduledRow),
        empty: "No campaign is scheduled.",
      })}
    </section>
  </div>`;
}
