/**
 * The contact page: fields, subscriptions, the consent ledger with its
 * evidence, deliveries, dialogue records and hand-registered contacts as one
 * timeline, the retention rule that keeps the person, and (for the roles that
 * may) the privacy actions.
 */
import type { ContactDetail } from "../../contacts/find-contact-detail.ts";
import { CONTACT_HISTORY_LIMIT } from "../../contacts/find-contact-detail.ts";
import { describeDecision, type ContactRetention } from "../../privacy/find-contact-retention.ts";
import { html, type Html } from "./console-kit.ts";
import { badge, table, when } from "./view-helpers.ts";

export function renderContactPage(
  c: ContactDetail,
  retention: ContactRetention,
  opts: { privacyActions: boolean },
): Html {
  return html`<p class="muted">Contact ${c.id} · on file since ${when(c.createdAt)}</p>
    ${renderFields(c)} ${renderRetention(retention)} ${renderSubscriptions(c)} ${renderConsents(c)}
    ${renderDeliveries(c)} ${renderTimeline(c)}
    ${opts.privacyActions ? renderPrivacyActions(c) : ""}`;
}

function renderFields(c: ContactDetail): Html {
  const fields: Array<[string, unknown]> = [
    ["Email", c.email],
    ["Name", c.name],
    ["Phone", c.phone],
    ["Company", c.company],
    ["Job title", c.jobTitle],
    ["Industry", c.industry],
    ["Company website", c.companyWebsite],
    ["Product interests", c.productInterests.join(", ")],
    ["Customer status", c.customerStatus],
    ["Customer relationship ended", c.customerEndedAt ? when(c.customerEndedAt) : null],
    ["Last contact", c.lastContactAt ? when(c.lastContactAt) : null],
    ["Source", c.source],
    ["Notes", c.notes],
    ["Updated", when(c.updatedAt)],
  ];
  return html`<h2>Fields</h2>
    <dl class="facts">
      ${fields.map(
        ([label, value]) =>
          html`<dt>${label}</dt>
            <dd>
              ${value === null || value === "" ? html`<span class="muted">—</span>` : value}
            </dd>`,
      )}
    </dl>`;
}

function renderRetention(r: ContactRetention): Html {
  const d = r.decision;
  return html`<h2>Retention</h2>
    <p>
      ${d.keep ? badge("kept", "ok") : badge("due for erasure", "bad")} ${describeDecision(d)}
    </p>`;
}

function renderSubscriptions(c: ContactDetail): Html {
  return html`<h2>Subscriptions</h2>
    ${table({
      caption: "Subscriptions",
      headers: ["List", "Status", "Asked", "Confirmed", "Unsubscribed", "Source"],
      empty: "Not on any list.",
      rows: c.subscriptions.map(
        (s) =>
          html`<tr>
            <th scope="row">${s.list.name} <code>${s.list.slug}</code></th>
            <td>${badge(s.status, s.status === "subscribed" ? "ok" : "plain")}</td>
            <td>${when(s.requestedAt)}</td>
            <td>${when(s.confirmedAt)}</td>
            <td>${when(s.unsubscribedAt)}</td>
            <td>${s.source}</td>
          </tr>`,
      ),
    })}`;
}

/** Evidence is JSON written by whoever recorded the event (form, import, one-click): shown as key and value. */
function renderEvidence(evidence: unknown): Html {
  if (evidence === null || typeof evidence !== "object" || Array.isArray(evidence))
    return html`<code>${JSON.stringify(evidence)}</code>`;
  const entries = Object.entries(evidence as Record<string, unknown>);
  if (entries.length === 0) return html`<span class="muted">none recorded</span>`;
  return html`<dl class="evidence">
    ${entries.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${typeof v === "string" ? v : JSON.stringify(v)}</dd>`,
    )}
  </dl>`;
}

function renderConsents(c: ContactDetail): Html {
  return html`<h2>Consent ledger</h2>
    <p class="muted">Append-only: a change of mind is a new event. Newest first.</p>
    ${table({
      caption: "Consent events with their evidence",
      headers: ["When", "Purpose", "Action", "Legal basis", "Source", "Evidence"],
      empty: "No consent events.",
      rows: c.consents.map(
        (e) =>
          html`<tr>
            <td>${when(e.occurredAt)}</td>
            <td><code>${e.purpose}</code></td>
            <td>${badge(e.action, e.action === "grant" ? "ok" : "warn")}</td>
            <td>${e.legalBasis.replace(/_/g, " ")}</td>
            <td>${e.source}</td>
            <td>${renderEvidence(e.evidence)}</td>
          </tr>`,
      ),
    })}
    ${limitNote(c.consents.length)}`;
}

function renderDeliveries(c: ContactDetail): Html {
  const tone = (s: string) =>
    s === "sent" ? "ok" : s === "failed" || s === "bounced" ? "bad" : "plain";
  return html`<h2>Deliveries</h2>
    ${table({
      caption: "Newsletters sent to this contact",
      headers: ["Campaign", "Status", "Sent", "Bounced", "Server's answer"],
      empty: "No newsletter was sent to this contact.",
      rows: c.deliveries.map(
        (d) =>
          html`<tr>
            <th scope="row">
              <a href="/admin/campaigns/${d.campaign.slug}"
                >${d.campaign.frozenSubject ?? d.campaign.subject}</a
              >
              <div class="muted"><code>${d.campaign.slug}</code></div>
            </th>
            <td>${badge(d.status, tone(d.status))}</td>
            <td>${when(d.sentAt)}</td>
            <td>${when(d.bouncedAt)}</td>
            <td><code>${d.response}</code></td>
          </tr>`,
      ),
    })}
    ${limitNote(c.deliveries.length)}`;
}

type TimelineItem = { at: Date; html: Html };

function renderTimeline(c: ContactDetail): Html {
  const items: TimelineItem[] = [
    ...c.dialogues.map((d) => ({
      at: d.receivedAt,
      html: html`<article class="timeline-item" aria-labelledby="dialogue-${d.id}">
        <h3 id="dialogue-${d.id}">
          ${when(d.receivedAt)} · ${d.direction === "in" ? "received" : "sent"}
          ${d.kind.replace(/_/g, " ")}${d.subject ? html`: ${d.subject}` : ""}
        </h3>
        <p class="muted">
          ${d.mailbox ? html`mailbox ${d.mailbox}` : ""}
          ${d.campaign ? html` · about campaign <code>${d.campaign.slug}</code>` : ""}
          ${d.flagged ? html` · ${badge("sensitive data redacted", "warn")}` : ""} ·
          <a href="/admin/inbox/dialogues/${d.id}">record ${d.id}</a>
        </p>
        ${
          d.body
            ? html`<details>
                <summary>Text</summary>
                <pre class="message-text">${d.body}</pre>
              </details>`
            : ""
        }
      </article>`,
    })),
    ...c.events.map((e) => ({
      at: e.occurredAt,
      html: html`<article class="timeline-item">
        <h3>${when(e.occurredAt)} · contact by ${e.via}</h3>
        <p class="muted">registered by ${e.actor}</p>
        ${e.note ? html`<p>${e.note}</p>` : ""}
      </article>`,
    })),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
  return html`<h2>Dialogue</h2>
    ${
      items.length === 0
        ? html`<p class="empty">No dialogue records and no contacts registered by hand.</p>`
        : html`<ol class="timeline">
            ${items.map((i) => html`<li>${i.html}</li>`)}
          </ol>`
    }`;
}

function renderPrivacyActions(c: ContactDetail): Html {
  return html`<h2>Privacy</h2>
    <p>Each action records a data-subject request with how the person was verified.</p>
    <ul class="actions">
      <li><a href="/admin/contacts/${c.id}/export">Export everything held (JSON or HTML)</a></li>
      <li><a href="/admin/contacts/${c.id}/correct">Correct fields</a></li>
      <li><a href="/admin/contacts/${c.id}/erase">Erase this contact</a></li>
    </ul>`;
}

function limitNote(shown: number): Html | string {
  return shown >= CONTACT_HISTORY_LIMIT
    ? html`<p class="muted">
        The newest ${CONTACT_HISTORY_LIMIT} are shown; the export has them all.
      </p>`
    : "";
}
