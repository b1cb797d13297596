/**
 * The campaigns page (each campaign's state, audience and progress), the
 * form that starts a campaign from a template, and the page of a campaign
 * that is no longer a draft (its state and the pause, resume, cancel buttons).
 */
import type { ListWithCounts } from "../../contacts/list-lists.ts";
import type { CampaignSummary } from "../../newsletters/list-campaigns.ts";
import { html, type Html } from "./console-kit.ts";
import { badge, count, field, options, postButton, table, when } from "./view-helpers.ts";

const tones: Record<string, "ok" | "warn" | "bad" | "plain"> = {
  draft: "plain",
  scheduled: "warn",
  sending: "warn",
  paused: "warn",
  sent: "ok",
  cancelled: "bad",
  failed: "bad",
};

export function statusBadge(status: string): Html {
  return badge(status, tones[status] ?? "plain");
}

export function audienceText(lists: string[], segment: unknown): string {
  const s = (segment ?? {}) as Record<string, unknown>;
  const parts = Object.entries(s)
    .filter(([, v]) => Array.isArray(v) && v.length > 0)
    .map(([k, v]) => `${k}: ${(v as string[]).join(", ")}`);
  return `${lists.join(", ") || "(no list)"}${parts.length ? `; ${parts.join("; ")}` : ""}`;
}

export function renderCampaignList(campaigns: CampaignSummary[]): Html {
  const rows = campaigns.map((c) => {
    const href = `/admin/campaigns/${c.slug}`;
    const d = c.deliveries;
    const progress =
      c.status === "draft"
        ? html`<span class="muted">not scheduled</span>`
        : html`<progress
              max="${Math.max(d.total, 1)}"
              value="${d.done}"
              aria-label="${c.slug} progress"
            >
              ${d.done} of ${d.total}
            </progress>
            ${count(d.sent)} sent${d.failed ? html`, ${count(d.failed)} failed` : ""}`;
    return html`<tr>
      <td><a href="${href}">${c.slug}</a></td>
      <td>${c.subject}</td>
      <td>${statusBadge(c.status)}</td>
      <td>${audienceText(c.lists, c.segment)}</td>
      <td>${progress}</td>
      <td>${when(c.finishedAt ?? c.startedAt ?? c.scheduledAt)}</td>
      <td>
        ${c.status === "draft" ? "" : html`<a href="${href}/report">Report<span class="visually-hidden"> of ${c.slug}</span></a>`}
      </td>
    </tr>`;
  });
  return html`<p><a class="button" href="/admin/campaigns/new">New campaign</a></p>
    ${table({
      caption: "Campaigns, newest first",
      headers: ["Campaign", "Subject", "State", "Audience", "Progress", "When", ""],
      rows,
      empty: "No campaigns yet. Start one with “New campaign”.",
    })}`;
}

export interface NewCampaignValues {
  slug: string;
  template: string;
  subject: string;
  preheader: string;
  lists: string[];
}

export function renderNewCampaign(
  csrf: Html,
  templates: string[],
  lists: ListWithCounts[],
  values: NewCampaignValues,
): Html {
  return html`<p><a href="/admin/campaigns">All campaigns</a></p>
    <form method="post" action="/admin/campaigns" class="stack">
      ${csrf}
      ${field({
        name: "slug",
        label: "Short name (for links and the CLI)",
        value: values.slug,
        required: true,
        hint: "Lower-case letters, digits and hyphens, e.g. 2026-12-news",
      })}
      <div class="field">
        <label for="f-template">Template</label>
        <select id="f-template" name="template">
          ${options(templates, values.template)}
        </select>
      </div>
      ${field({ name: "subject", label: "Subject", value: values.subject, required: true })}
      ${field({ name: "preheader", label: "Preheader (optional)", value: values.preheader })}
      <fieldset class="choices">
        <legend>Lists</legend>
        ${
          lists.length === 0
            ? html`<p>There are no lists yet; <a href="/admin/lists">create one</a> first.</p>`
            : lists.map(
                (l) =>
                  html`<label class="choice"
                    ><input
                      type="checkbox"
                      name="lists"
                      value="${l.slug}"
                      ${values.lists.includes(l.slug) ? html`checked` : ""}
                    />
                    ${l.name}
                    <span class="muted">(${count(l.counts.subscribed)} subscribed)</span></label
                  >`,
              )
        }
      </fieldset>
      <div class="actions"><button type="submit">Create draft</button></div>
    </form>`;
}

export function renderCampaignState(
  csrf: Html,
  c: {
    slug: string;
    subject: string;
    status: string;
    lists: string[];
    segment: unknown;
    scheduledAt: Date | null;
    startedAt: Date | null;
    finishedAt: Date | null;
  },
): Html {
  const base = `/admin/campaigns/${c.slug}`;
  const active = ["scheduled", "sending", "paused"].includes(c.status);
  return html`<p><a href="/admin/campaigns">All campaigns</a></p>
    <dl class="facts">
      <dt>State</dt>
      <dd>${statusBadge(c.status)}</dd>
      <dt>Subject</dt>
      <dd>${c.subject}</dd>
      <dt>Audience</dt>
      <dd>${audienceText(c.lists, c.segment)}</dd>
      <dt>Scheduled for</dt>
      <dd>${when(c.scheduledAt) || "—"}</dd>
      <dt>Started</dt>
      <dd>${when(c.startedAt) || "—"}</dd>
      <dt>Finished</dt>
      <dd>${when(c.finishedAt) || "—"}</dd>
    </dl>
    <p><a href="${base}/report">Open the report</a></p>
    ${
      active
        ? html`<div class="actions">
            ${
              c.status === "paused"
                ? postButton({ action: `${base}/resume`, label: "Resume", csrf })
                : postButton({ action: `${base}/pause`, label: "Pause", csrf, kind: "secondary" })
            }
            <form method="post" action="${base}/cancel" class="inline-form">
              ${csrf}
              <button type="submit" class="danger" data-confirm="Cancel ${c.slug} for good?">
                Cancel the campaign
              </button>
            </form>
          </div>`
        : ""
    }`;
}
