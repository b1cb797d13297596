/**
 * The privacy area's pages as HTML: data-subject requests with their
 * deadlines, one request, the retention dry run, and the exports.
 */
import type { FastifyRequest } from "fastify";
import type { RetentionResult } from "../../privacy/apply-retention.ts";
import type { PrivacyRequestDetail } from "../../privacy/find-privacy-request.ts";
import type { PrivacyRequestRow } from "../../privacy/list-privacy-requests.ts";
import { partnerFields } from "../../privacy/export-partner-contacts.ts";
import type { AuditRow } from "../../privacy/query-audit.ts";
import { csrfField, html, type Html } from "./console-kit.ts";
import { verificationFields } from "./verification-fields.ts";
import { badge, count, options, table, tabs, when } from "./view-helpers.ts";

export const requestKinds = ["export", "correction", "erasure", "withdrawal"] as const;

export function privacyTabs(current: string): Html {
  return tabs(
    "Privacy",
    [
      { href: "/admin/privacy", label: "Requests" },
      { href: "/admin/privacy/retention", label: "Retention dry run" },
      { href: "/admin/privacy/audit", label: "Audit log" },
      { href: "/admin/privacy/exports", label: "Exports" },
    ],
    current,
  );
}

function stateBadge(r: PrivacyRequestRow): Html {
  if (r.overdue) return badge("overdue", "bad");
  return badge(r.state, r.state === "done" ? "ok" : r.state === "refused" ? "warn" : "plain");
}

export function renderRequests(
  request: FastifyRequest,
  rows: PrivacyRequestRow[],
  filter: { open: boolean; kind?: string },
): Html {
  const open = rows.filter((r) => r.state === "received");
  return html`${privacyTabs("/admin/privacy")}
    <p role="status">
      ${count(open.length)} open
      request${open.length === 1 ? "" : "s"}${
        open.some((r) => r.overdue)
          ? html`, ${badge(`${open.filter((r) => r.overdue).length} overdue`, "bad")}`
          : ""
      }.
      The answer is due within one month of receipt (GDPR art. 12(3)).
    </p>
    <form method="get" action="/admin/privacy" class="filters">
      <p>
        <label for="requests-kind">Kind</label>
        <select id="requests-kind" name="kind">
          ${options(["", ...requestKinds], filter.kind)}
        </select>
        <input
          type="checkbox"
          id="requests-open"
          name="open"
          value="true"
          ${filter.open ? html`checked` : ""}
        />
        <label for="requests-open">Open only</label>
        <button type="submit">Filter</button>
      </p>
    </form>
    ${table({
      caption: "Data-subject requests: open ones first by deadline, then the rest newest first",
      headers: ["Reference", "Kind", "State", "Received", "Due", "Completed", "Verified by", "By"],
      empty: "No requests.",
      rows: rows.map(
        (r) =>
          html`<tr>
            <th scope="row"><a href="/admin/privacy/requests/${r.reference}">${r.reference}</a></th>
            <td>${r.kind}</td>
            <td>${stateBadge(r)}</td>
            <td>${when(r.receivedAt)}</td>
            <td>${when(r.dueAt)}</td>
            <td>${when(r.completedAt)}</td>
            <td>${r.verificationMethod}</td>
            <td><code>${r.actor}</code></td>
          </tr>`,
      ),
    })}
    <h2 id="record-request">Record a request</h2>
    <p>
      For a request received by letter, phone or email that is not answered at once: it is listed
      here with its deadline until it is closed. Exports, corrections and erasures made from a
      contact page are recorded by themselves.
    </p>
    <form method="post" action="/admin/privacy/requests" aria-labelledby="record-request">
      ${csrfField(request)}
      <p>
        <label for="request-kind">Kind</label>
        <select id="request-kind" name="kind">
          ${options(requestKinds, "export")}
        </select>
      </p>
      <p>
        <label for="request-email">The requester's address</label>
        <input
          id="request-email"
          type="email"
          name="email"
          required
          maxlength="320"
          aria-describedby="request-email-help"
        />
        <span id="request-email-help" class="muted"
          >Only its keyed hash is stored with the request.</span
        >
      </p>
      ${verificationFields()}
      <p><button type="submit">Record the request</button></p>
    </form>`;
}

export function renderRequest(
  request: FastifyRequest,
  r: PrivacyRequestDetail,
  audit: AuditRow[],
): Html {
  const facts: Array<[string, unknown]> = [
    ["Kind", r.kind],
    ["State", stateBadge(r)],
    ["Received", when(r.receivedAt)],
    ["Due", when(r.dueAt)],
    ["Completed", when(r.completedAt)],
    ["Verified by", r.verificationMethod],
    ["Proof kept at", r.verificationReference],
    ["Recorded by", html`<code>${r.actor}</code>`],
    [
      "Contact",
      r.contactId === null
        ? html`<span class="muted">none on file (erased, or not known)</span>`
        : html`<a href="/admin/contacts/${r.contactId}">contact ${r.contactId}</a>`,
    ],
    ["Detail", html`<code>${JSON.stringify(r.detail)}</code>`],
  ];
  return html`${privacyTabs("/admin/privacy")}
    <dl class="facts">
      ${facts.map(
        ([k, v]) =>
          html`<dt>${k}</dt>
            <dd>${v ?? ""}</dd>`,
      )}
    </dl>
    ${
      r.state === "received"
        ? html`<h2 id="close-request">Close the request</h2>
            <p>
              ${
                r.contactId !== null
                  ? html`Carry it out from
                      <a href="/admin/contacts/${r.contactId}">the contact page</a> (that records
                      its own request), then close this one.`
                  : ""
              }
            </p>
            <form
              method="post"
              action="/admin/privacy/requests/${r.reference}/close"
              aria-labelledby="close-request"
            >
              ${csrfField(request)}
              <p class="actions">
                <button type="submit" name="state" value="done">Mark as done</button>
                <button type="submit" name="state" value="refused" class="secondary">
                  Mark as refused
                </button>
              </p>
            </form>`
        : ""
    }
    <h2>Audit entries</h2>
    ${renderAuditRows(audit, "Audit entries about this request")}`;
}

export function renderAuditRows(rows: AuditRow[], caption: string): Html {
  return table({
    caption,
    headers: ["When", "Actor", "Action", "Subject", "Detail"],
    empty: "No audit entries match.",
    rows: rows.map(
      (e) =>
        html`<tr>
          <td>${when(e.at)}</td>
          <td><code>${e.actor}</code></td>
          <td><code>${e.action}</code></td>
          <td>${e.subjectType ? html`<code>${e.subjectType}:${e.subjectId}</code>` : ""}</td>
          <td><code class="detail">${JSON.stringify(e.detail)}</code></td>
        </tr>`,
    ),
  });
}

/** At most this many of the dry run's contacts are listed; the count is always whole. */
export const RETENTION_LIST_LIMIT = 500;

export function renderRetention(
  result: RetentionResult | undefined,
  within: number,
  policy: string[],
): Html {
  return html`${privacyTabs("/admin/privacy/retention")}
    <h2>The policy</h2>
    <ul>
      ${policy.map((line) => html`<li>${line}</li>`)}
    </ul>
    <form method="get" action="/admin/privacy/retention" class="filters">
      <p>
        <label for="retention-within">Also list those due within (days)</label>
        <input
          id="retention-within"
          type="number"
          name="within"
          min="0"
          max="3650"
          value="${within}"
        />
        <button type="submit" name="run" value="1">Run the dry run</button>
      </p>
    </form>
    ${
      result
        ? html`<p role="status">
              Dry run: ${count(result.due)} of ${count(result.judged)} contacts judged would be
              erased ${within > 0 ? html`within ${within} days` : "now"}; nothing was changed
              (${count(result.ms)} ms).
            </p>
            ${table({
              caption: "Contacts the retention job would erase, and by which rule",
              headers: ["Contact", "Rule", "Counted from", "Ran out"],
              empty: "Nobody is due.",
              rows: result.list.slice(0, RETENTION_LIST_LIMIT).map(
                (d) =>
                  html`<tr>
                    <th scope="row"><a href="/admin/contacts/${d.contactId}">${d.email}</a></th>
                    <td>${d.rule}</td>
                    <td>${when(d.since)}</td>
                    <td>${when(d.expiredAt)}</td>
                  </tr>`,
              ),
            })}
            ${
              result.list.length > RETENTION_LIST_LIMIT
                ? html`<p class="muted">
                    The first ${RETENTION_LIST_LIMIT} are listed; the CLI lists all (mailsteward
                    privacy retention --dry-run).
                  </p>`
                : ""
            }`
        : html`<p class="muted">The dry run reads every contact; it changes nothing.</p>`
    }`;
}

export function renderExports(request: FastifyRequest, partners: string[]): Html {
  return html`${privacyTabs("/admin/privacy/exports")}
    <h2 id="contact-export">One person's data (access and portability)</h2>
    <form method="post" action="/admin/privacy/exports/contact" aria-labelledby="contact-export">
      ${csrfField(request)}
      <p>
        <label for="export-email">The person's address</label>
        <input id="export-email" type="email" name="email" required maxlength="320" />
      </p>
      ${verificationFields()}
      <p class="actions">
        <button type="submit" name="format" value="json">Download JSON</button>
        <button type="submit" name="format" value="html" class="secondary">View as HTML</button>
      </p>
    </form>
    <h2 id="partner-export">Partner export</h2>
    <p>
      Only ${partnerFields.join(", ")} of the contacts linked to the partner that a retention rule
      still keeps. Each disclosure is recorded for the person's own export.
    </p>
    ${
      partners.length === 0
        ? html`<p class="empty">
            No partners yet: link contacts with <code>mailsteward privacy partner-link</code>.
          </p>`
        : html`<form
            method="post"
            action="/admin/privacy/exports/partner"
            aria-labelledby="partner-export"
          >
            ${csrfField(request)}
            <p>
              <label for="export-partner">Partner</label>
              <select id="export-partner" name="partner">
                ${options(partners, partners[0])}
              </select>
            </p>
            <p><button type="submit">Download the partner file (JSON)</button></p>
          </form>`
    }`;
}
