/**
 * The inbox area's other pages: bounces and complaints, the watched
 * mailboxes' health, and mailed unsubscribe requests held for an operator.
 * Pure: data in, escaped HTML out.
 */
import type { MailboxStatus } from "../../inbox/inbox-status.ts";
import { html, type Html } from "./console-kit.ts";
import { inboxPaths, inboxTabs } from "./inbox-dialogue-views.ts";
import type { HeldUnsubscribe } from "../../inbox/list-held-unsubscribes.ts";
import { bounceVerdicts, type BounceEventRow, type BounceFilter } from "./list-bounce-events.ts";
import { badge, count, options, pager, table, when } from "./view-helpers.ts";

const verdictTone = {
  hard: "bad",
  soft: "warn",
  policy: "plain",
  delayed: "plain",
  unknown: "plain",
} as const;

function bounceFilterForm(filter: BounceFilter, campaigns: readonly string[]): Html {
  return html`<form method="get" action="${inboxPaths.bounces}" class="filters" role="search">
    <div class="field">
      <label for="b-type">Type</label>
      <select id="b-type" name="type">
        ${options(
          [
            { value: "", label: "bounces and complaints" },
            { value: "bounce", label: "bounces" },
            { value: "complaint", label: "complaints" },
          ],
          filter.type,
        )}
      </select>
    </div>
    <div class="field">
      <label for="b-verdict">Verdict (bounces)</label>
      <select id="b-verdict" name="verdict">
        ${options(["", ...bounceVerdicts], filter.verdict)}
      </select>
    </div>
    <div class="field">
      <label for="b-campaign">Campaign</label>
      <select id="b-campaign" name="campaign">
        ${options(["", ...new Set([...campaigns, ...(filter.campaign ? [filter.campaign] : [])])], filter.campaign)}
      </select>
    </div>
    <div class="field">
      <label for="b-from">From</label>
      <input id="b-from" name="from" type="date" value="${filter.from ?? ""}" />
    </div>
    <div class="field">
      <label for="b-to">To</label>
      <input id="b-to" name="to" type="date" value="${filter.to ?? ""}" />
    </div>
    <div class="actions">
      <button type="submit">Filter</button>
      <a href="${inboxPaths.bounces}">Clear</a>
    </div>
  </form>`;
}

function eventRow(r: BounceEventRow): Html {
  const verdict =
    r.type === "complaint"
      ? badge(`complaint${r.verdict ? ` (${r.verdict})` : ""}`, "bad")
      : badge(
          r.verdict ?? "unknown",
          verdictTone[(r.verdict ?? "unknown") as keyof typeof verdictTone] ?? "plain",
        );
  return html`<tr>
    <td>${when(r.at)}</td>
    <td>${verdict}</td>
    <td>${r.status ?? ""}${r.action ? html` (${r.action})` : ""}</td>
    <td>${r.campaign ?? "not matched"}</td>
    <td>${r.contactEmail ?? "not matched"}</td>
    <td>${r.mailbox}</td>
    <td>${r.outcome}</td>
  </tr>`;
}

export function bounceListBody(opts: {
  filter: BounceFilter;
  campaigns: readonly string[];
  rows: readonly BounceEventRow[];
  hasMore: boolean;
  totals: Record<string, number>;
  error?: string;
}): Html {
  const { page: _page, ...query } = opts.filter;
  void _page;
  const totals = Object.entries(opts.totals).sort(([a], [b]) => a.localeCompare(b));
  return html`${inboxTabs(inboxPaths.bounces)}
    <p class="muted">
      A hard bounce suppresses the address at once; soft ones after the configured number within the
      window; policy bounces (the receiver blamed our side) never do. A complaint unsubscribes the
      person from everything and suppresses the address.
    </p>
    ${bounceFilterForm(opts.filter, opts.campaigns)}
    ${opts.error ? html`<p class="notice error" role="alert">${opts.error}</p>` : ""}
    ${
      totals.length > 0
        ? html`<p class="totals" aria-label="Totals for this filter">
            ${totals.map(([k, n]) => html`<span>${k}: <strong>${count(n)}</strong></span> `)}
          </p>`
        : ""
    }
    ${table({
      caption: "Bounces and complaints, newest first",
      headers: ["When", "Verdict", "Status (action)", "Campaign", "Contact", "Mailbox", "Outcome"],
      rows: opts.rows.map(eventRow),
      empty: "No bounces or complaints match this filter.",
    })}
    ${pager(inboxPaths.bounces, query as Record<string, string | undefined>, opts.filter.page ?? 1, opts.hasMore)}`;
}

function statusRow(m: MailboxStatus): Html {
  return html`<tr>
    <th scope="row">${m.mailbox}</th>
    <td>${m.role}, ${m.direction === "in" ? "incoming" : "sent"}</td>
    <td>${m.up ? badge("up", "ok") : badge("down", "bad")}</td>
    <td>${m.watcher ?? "none"}${m.heartbeatAt ? html`, ${when(m.heartbeatAt)}` : ""}</td>
    <td>${count(m.lastUid)}${m.uidValidity ? html` (UIDVALIDITY ${m.uidValidity})` : ""}</td>
    <td>${count(m.lag)}</td>
    <td>${count(m.messagesToday)}</td>
    <td>
      ${m.lastError ? html`${m.lastError} ${m.lastErrorAt ? html`(${when(m.lastErrorAt)})` : ""}` : "none"}
    </td>
  </tr>`;
}

/** The status table alone: also the fragment htmx refreshes every 10 s. */
export function mailboxStatusTable(statuses: readonly MailboxStatus[]): Html {
  return html`<div
    id="mailbox-status"
    hx-get="${inboxPaths.mailboxes}/status"
    hx-trigger="every 10s"
    hx-swap="outerHTML"
  >
    ${table({
      caption: "Watched mailboxes",
      headers: [
        "Mailbox",
        "Role",
        "Watcher",
        "Watched by, last heartbeat",
        "Last UID",
        "Lag",
        "Today",
        "Last error",
      ],
      rows: statuses.map(statusRow),
      empty: "No mailbox is watched: set INBOX_MAILBOXES (see .env.example).",
    })}
  </div>`;
}

export function mailboxStatusBody(statuses: readonly MailboxStatus[]): Html {
  return html`${inboxTabs(inboxPaths.mailboxes)}
    <p class="muted">
      One watcher per mailbox folder; it is down when its heartbeat is older than the job lock
      lifetime. Lag is how many UIDs on the server are above the checkpoint (an upper bound).
    </p>
    ${mailboxStatusTable(statuses)}`;
}

function heldRow(h: HeldUnsubscribe, actions: ((id: number) => Html) | null): Html {
  return html`<tr>
    <td>${when(h.receivedAt)}</td>
    <td>${h.contactEmail ?? "contact no longer exists"}</td>
    <td>${h.mailbox}</td>
    ${actions ? html`<td>${actions(h.id)}</td>` : ""}
  </tr>`;
}

export function heldUnsubscribesBody(opts: {
  held: readonly HeldUnsubscribe[];
  /** the confirm and dismiss forms for one request; null: read-only */
  actions: ((id: number) => Html) | null;
}): Html {
  return html`${inboxTabs(inboxPaths.held)}
    <p class="muted">
      Mail to the bare unsubscribe address, without the signed token a newsletter's link carries,
      from the address of a known contact. A From line can be forged, so nothing was changed:
      confirm to unsubscribe the person from every list, or dismiss the request.
    </p>
    ${table({
      caption: "Held requests, oldest first",
      headers: ["Received", "Contact", "Mailbox", ...(opts.actions ? ["Decision"] : [])],
      rows: opts.held.map((h) => heldRow(h, opts.actions)),
      empty: "No request is waiting.",
    })}`;
}
