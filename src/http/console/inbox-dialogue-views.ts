/**
 * The inbox area's dialogue pages: the filtered list and one record with its
 * thread. Pure: data in, escaped HTML out.
 */
import type { DialogueDetail } from "../../inbox/show-dialogue.ts";
import { dialogueKinds, type DialogueSummary } from "../../inbox/list-dialogues.ts";
import { html, type Html } from "./console-kit.ts";
import type { DialogueFilter, DialogueRow } from "./search-dialogues.ts";
import { badge, options, pager, table, tabs, when } from "./view-helpers.ts";

export const inboxPaths = {
  dialogues: "/admin/inbox",
  bounces: "/admin/inbox/bounces",
  mailboxes: "/admin/inbox/mailboxes",
  held: "/admin/inbox/held",
} as const;

export function inboxTabs(current: string): Html {
  return tabs(
    "Inbox",
    [
      { href: inboxPaths.dialogues, label: "Dialogue records" },
      { href: inboxPaths.bounces, label: "Bounces and complaints" },
      { href: inboxPaths.mailboxes, label: "Watched mailboxes" },
      { href: inboxPaths.held, label: "Held unsubscribe requests" },
    ],
    current,
  );
}

const kindLabel: Record<string, string> = {
  reply: "reply",
  auto_reply: "auto-reply",
  bounce: "bounce",
  complaint: "complaint",
  unsubscribe: "unsubscribe",
  other: "other",
};

export function dialoguePath(id: number): string {
  return `/admin/inbox/dialogues/${id}`;
}

function dialogueFilterForm(filter: DialogueFilter, mailboxes: readonly string[]): Html {
  return html`<form method="get" action="${inboxPaths.dialogues}" class="filters" role="search">
    <div class="field">
      <label for="f-contact">Contact address contains</label>
      <input id="f-contact" name="contact" type="search" value="${filter.contact ?? ""}" />
    </div>
    <div class="field">
      <label for="f-kind">Kind</label>
      <select id="f-kind" name="kind">
        ${options(
          [
            { value: "", label: "any" },
            ...dialogueKinds.map((k) => ({ value: k, label: kindLabel[k] ?? k })),
          ],
          filter.kind,
        )}
      </select>
    </div>
    <div class="field">
      <label for="f-direction">Direction</label>
      <select id="f-direction" name="direction">
        ${options(
          [
            { value: "", label: "any" },
            { value: "in", label: "received" },
            { value: "out", label: "sent by an employee" },
          ],
          filter.direction,
        )}
      </select>
    </div>
    <div class="field">
      <label for="f-mailbox">Mailbox</label>
      <select id="f-mailbox" name="mailbox">
        ${options(["", ...new Set([...mailboxes, ...(filter.mailbox ? [filter.mailbox] : [])])], filter.mailbox)}
      </select>
    </div>
    <div class="field">
      <label for="f-from">From</label>
      <input id="f-from" name="from" type="date" value="${filter.from ?? ""}" />
    </div>
    <div class="field">
      <label for="f-to">To</label>
      <input id="f-to" name="to" type="date" value="${filter.to ?? ""}" />
    </div>
    <div class="field checkbox">
      <input
        id="f-flagged"
        name="flagged"
        type="checkbox"
        value="1"
        ${filter.flagged ? html`checked` : ""}
      />
      <label for="f-flagged">Only flagged as sensitive</label>
    </div>
    <div class="actions">
      <button type="submit">Filter</button>
      <a href="${inboxPaths.dialogues}">Clear</a>
    </div>
  </form>`;
}

function dialogueRow(r: DialogueRow): Html {
  return html`<tr>
    <td>${when(r.receivedAt)}</td>
    <td>${kindLabel[r.kind] ?? r.kind}</td>
    <td>${r.direction === "in" ? "received" : "sent"}</td>
    <td>${r.mailbox ?? ""}</td>
    <td><a href="${dialoguePath(r.id)}">${r.subject || "(no subject)"}</a></td>
    <td>${r.contactEmail ?? ""}</td>
    <td>${r.campaignSlug ?? ""}</td>
    <td>${r.flagged ? badge("sensitive, redacted", "warn") : ""}</td>
  </tr>`;
}

export function dialogueListBody(opts: {
  filter: DialogueFilter;
  mailboxes: readonly string[];
  rows: readonly DialogueRow[];
  hasMore: boolean;
  error?: string;
}): Html {
  const { filter } = opts;
  const { page: _page, ...query } = filter;
  void _page;
  return html`${inboxTabs(inboxPaths.dialogues)}
    <p class="muted">
      What the inbox kept of replies and other mail from contacts: the text without quoted history
      and signature, redacted where sensitive data was found.
    </p>
    ${dialogueFilterForm(filter, opts.mailboxes)}
    ${opts.error ? html`<p class="notice error" role="alert">${opts.error}</p>` : ""}
    ${table({
      caption: "Dialogue records, newest first",
      headers: [
        "Received",
        "Kind",
        "Direction",
        "Mailbox",
        "Subject",
        "Contact",
        "Campaign",
        "Flag",
      ],
      rows: opts.rows.map(dialogueRow),
      empty: "No dialogue records match this filter.",
    })}
    ${pager(inboxPaths.dialogues, query as Record<string, string | undefined>, filter.page ?? 1, opts.hasMore)}`;
}

function threadItem(t: DialogueSummary, currentId: number): Html {
  const label = html`${when(t.receivedAt)} · ${kindLabel[t.kind] ?? t.kind} ·
  ${t.direction === "in" ? "received" : "sent"} · ${t.subject || "(no subject)"}`;
  return html`<li>
    ${
      t.id === currentId
        ? html`<strong aria-current="true">${label}</strong>`
        : html`<a href="${dialoguePath(t.id)}">${label}</a>`
    }
  </li>`;
}

function attachmentList(attachments: unknown): Html {
  const list = Array.isArray(attachments)
    ? (attachments as Array<{ filename?: string; contentType?: string; size?: number }>)
    : [];
  if (list.length === 0) return html`<dd>none</dd>`;
  return html`<dd>
    <ul>
      ${list.map(
        (a) =>
          html`<li>
            ${a.filename ?? "(no name)"} (${a.contentType ?? "?"}, ${a.size ?? 0} bytes)
          </li>`,
      )}
    </ul>
  </dd>`;
}

export function dialogueThreadBody(d: DialogueDetail): Html {
  return html`${inboxTabs(inboxPaths.dialogues)}
    <p><a href="${inboxPaths.dialogues}">Back to the dialogue records</a></p>
    ${
      d.flagged
        ? html`<p class="notice error" role="note">
            Sensitive data was found in this message and redacted before it was kept.
          </p>`
        : ""
    }
    <dl class="facts">
      <dt>Kind</dt>
      <dd>${kindLabel[d.kind] ?? d.kind}</dd>
      <dt>Direction</dt>
      <dd>${d.direction === "in" ? "received from the contact" : "sent by an employee"}</dd>
      <dt>Received</dt>
      <dd>${when(d.receivedAt)}</dd>
      <dt>From</dt>
      <dd>${d.fromAddress ?? ""}</dd>
      <dt>To</dt>
      <dd>${d.toAddresses.join(", ")}</dd>
      <dt>Contact</dt>
      <dd>${d.contactEmail ?? "not linked to a contact"}</dd>
      <dt>Campaign</dt>
      <dd>${d.campaignSlug ?? "none"}</dd>
      <dt>Mailbox</dt>
      <dd>${d.source.mailbox ?? ""} ${d.source.uid ? html`(UID ${d.source.uid})` : ""}</dd>
      <dt>Attachments</dt>
      ${attachmentList(d.attachments)}
    </dl>
    <h2>Text</h2>
    <pre class="message-text">${d.text ?? "(no text)"}</pre>
    ${
      d.removed
        ? html`<details>
            <summary>What trimming cut (quoted history, signature)</summary>
            <pre class="message-text">${d.removed}</pre>
          </details>`
        : ""
    }
    <h2>Thread</h2>
    ${
      d.thread.length > 0
        ? html`<ol class="thread">
            ${d.thread.map((t) => threadItem(t, d.id))}
          </ol>`
        : html`<p class="empty">This record is not part of a thread.</p>`
    }`;
}
