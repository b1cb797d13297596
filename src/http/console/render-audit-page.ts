/**
 * The audit log with its filters (actor, action, subject, days) and keyset
 * paging: "Older" carries the last id shown, so new entries arriving at the
 * top never shift what the reader is looking at.
 */
import type { AuditPage } from "../../privacy/query-audit-page.ts";
import { html, type Html } from "./console-kit.ts";
import { renderAuditRows, privacyTabs } from "./render-privacy-pages.ts";

export interface AuditFilterValues {
  actor?: string;
  action?: string;
  subject?: string;
  from?: string;
  to?: string;
  before?: number;
}

export function renderAuditPage(page: AuditPage, f: AuditFilterValues): Html {
  const params = new URLSearchParams();
  for (const key of ["actor", "action", "subject", "from", "to"] as const) {
    const v = f[key];
    if (v) params.set(key, v);
  }
  const first = `/admin/privacy/audit${params.size > 0 ? `?${params}` : ""}`;
  if (page.nextBeforeId !== null) params.set("before", String(page.nextBeforeId));
  const field = (name: keyof AuditFilterValues, label: string, help: string, type = "text") =>
    html`<p>
      <label for="audit-${name}">${label}</label>
      <input
        id="audit-${name}"
        name="${name}"
        type="${type}"
        value="${f[name] ?? ""}"
        aria-describedby="audit-${name}-help"
      />
      <span id="audit-${name}-help" class="muted">${help}</span>
    </p>`;
  return html`${privacyTabs("/admin/privacy/audit")}
    <form method="get" action="/admin/privacy/audit" class="filters">
      <fieldset>
        <legend>Filter</legend>
        ${field("actor", "Actor", "exactly, such as operator:3, cli, api, worker")}
        ${field("action", "Action", "exactly, or a prefix ending in *, such as privacy.*")}
        ${field("subject", "Subject", "a contact id, type:id (campaign:7), a keyed hash, or an address")}
        ${field("from", "From (day, UTC)", "the first day shown", "date")}
        ${field("to", "To (day, UTC)", "the last day shown", "date")}
        <p class="actions">
          <button type="submit">Filter</button>
          <a href="/admin/privacy/audit">Clear</a>
        </p>
      </fieldset>
    </form>
    ${renderAuditRows(page.entries, "Audit entries, newest first")}
    <nav class="pager" aria-label="Pages">
      ${f.before !== undefined ? html`<a href="${first}">Newest</a>` : ""}
      ${
        page.nextBeforeId !== null
          ? html`<a href="/admin/privacy/audit?${params}" rel="next">Older</a>`
          : ""
      }
    </nav>`;
}
