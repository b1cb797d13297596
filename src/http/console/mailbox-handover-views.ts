/**
 * The handover pages: start one (a dry run first, then for real), its
 * progress while a worker copies (htmx polls the ledger counts), and the
 * report; the list of every handover. Pure: data in, HTML out.
 */
import type { EmployeeView } from "../../mailboxes/employee-view.ts";
import type { HandoverReport } from "../../mailboxes/handover-report.ts";
import { html, type Html } from "./console-kit.ts";
import type { HandoverProgress } from "./handover-progress.ts";
import { mailboxPaths, mailboxTabs } from "./mailbox-paths.ts";
import { badge, bytes, count, postButton, selectField, table, when } from "./view-helpers.ts";

function folderTable(report: Partial<HandoverReport>, caption: string): Html {
  const copied = !report.dryRun;
  return table({
    caption,
    headers: [
      "Folder",
      "To",
      "Messages",
      "Selected",
      "Size",
      ...(copied ? ["Copied", "Verified"] : []),
    ],
    rows: (report.folders ?? []).map(
      (f) =>
        html`<tr>
          <th scope="row">${f.name}</th>
          <td>${f.skipped ? `skipped (${f.skipped})` : (f.target ?? "")}</td>
          <td>${count(f.messages)}</td>
          <td>${count(f.selected)}</td>
          <td>${bytes(f.bytes)}</td>
          ${
            copied
              ? html`<td>${count((f.copied ?? 0) + (f.matched ?? 0))}</td>
                  <td>${count(f.verified)}</td>`
              : ""
          }
        </tr>`,
    ),
    empty: "No folder was read.",
  });
}

export function handoverReportView(r: Partial<HandoverReport>): Html {
  const ok = r.verifiedOk === true;
  return html`<section aria-labelledby="handover-report">
    <h3 id="handover-report">Report${r.handoverId ? ` of handover ${r.handoverId}` : ""}</h3>
    ${folderTable(r, "Per folder")}
    <dl class="facts">
      <dt>Selected</dt>
      <dd>${count(r.selected)} messages, ${bytes(r.selectedBytes)}</dd>
      <dt>Copied</dt>
      <dd>
        ${count(r.copied)} (${bytes(r.copiedBytes)}), found already copied
        ${count((r.matched ?? 0) + (r.alreadyInLedger ?? 0))}
      </dd>
      <dt>Verified at the target</dt>
      <dd>
        ${
          ok
            ? html`${badge("all verified", "ok")} ${count(r.verified)} by UID, size and key`
            : html`${badge("not verified", "bad")} ${count(r.verified)} of ${count(r.selected)};
              missing ${count(r.missing)}, differing ${count(r.mismatched)}, duplicates
              ${count(r.duplicates)}, vanished ${count(r.vanished)}. Nothing at the source was
              deleted; start it again to resume.`
        }
      </dd>
      <dt>Deleted at the source</dt>
      <dd>${count(r.deleted)} by UID, ${count(r.leftAtSource)} left (arrived after selection)</dd>
      <dt>Account-deletion hook</dt>
      <dd>${r.hook ?? "not yet"}</dd>
      <dt>Status</dt>
      <dd>
        ${r.status ?? ""}, ${r.seconds ?? 0} s, ${count(r.errors)} errors, ${count(r.retries)}
        reconnects
      </dd>
      ${
        r.error
          ? html`<dt>Error</dt>
              <dd>${r.error}</dd>`
          : ""
      }
    </dl>
  </section>`;
}

function dryRunView(
  employeeId: number,
  r: HandoverReport,
  params: { successor: string; all: boolean },
  csrf: Html,
): Html {
  return html`<section aria-labelledby="dry-run">
    <h2 id="dry-run">Dry run</h2>
    <p class="notice" role="status">
      Would copy ${count(r.selected)} messages (${bytes(r.selectedBytes)}) to the successor; nothing
      was changed.
    </p>
    ${folderTable(r, "What would be copied, per folder")}
    ${
      r.sample.length > 0
        ? table({
            caption: "Sample of the selection",
            headers: ["Folder", "UID", "Date", "Size", "Why"],
            rows: r.sample.map(
              (s) =>
                html`<tr>
                  <td>${s.folder}</td>
                  <td>${s.uid}</td>
                  <td>${when(s.date)}</td>
                  <td>${bytes(s.size)}</td>
                  <td>${s.reason}</td>
                </tr>`,
            ),
            empty: "",
          })
        : ""
    }
    <p>
      For real: the worker copies, verifies every message at the successor, and only then empties
      this mailbox (by UID) and marks the employee departed.
    </p>
    ${postButton({
      action: `${mailboxPaths.handover(employeeId)}/start`,
      label: "Start the handover",
      csrf,
      kind: "danger",
      fields: {
        successor: params.successor,
        expected: r.selected,
        ...(params.all ? { all: "1" } : {}),
      },
    })}
  </section>`;
}

const active = new Set(["running", "verified", "emptied"]);
const endings = /\.(failed|unverified|emptied-partly|hook-failed|completed)$/;
const failures = /\.(failed|unverified|emptied-partly|hook-failed)$/;

/**
 * Where the view stands: `waiting` while a start is queued and no worker has
 * taken it (the row is absent, or still the previous, completed one);
 * `polling` until the run after the latest start has ended one way or another.
 */
export function progressState(p: HandoverProgress): { polling: boolean; waiting: boolean } {
  const queuedAt = p.queued ? Date.parse(p.queued.at) : 0;
  const h = p.handover;
  const ended =
    !!p.lastEvent && Date.parse(p.lastEvent.at) >= queuedAt && endings.test(p.lastEvent.action);
  if (ended) return { polling: false, waiting: false };
  const waiting =
    !!p.queued && (!h || (h.status === "completed" && Date.parse(h.startedAt) < queuedAt));
  return { polling: waiting || (!!h && active.has(h.status)), waiting };
}

/** The progress section; while in progress it asks htmx to fetch itself again in 2 s. */
export function handoverProgressView(employeeId: number, p: HandoverProgress): Html {
  const { polling, waiting } = progressState(p);
  const h = p.handover;
  const expected = p.queued?.expected ?? h?.report.selected ?? null;
  const stopped = !polling && !!p.lastEvent && failures.test(p.lastEvent.action);
  return html`<section
    id="handover-progress"
    aria-labelledby="progress-heading"
    ${
      polling
        ? html`hx-get="${mailboxPaths.handover(employeeId)}/progress" hx-trigger="every 2s"
          hx-swap="outerHTML"`
        : ""
    }
  >
    <h2 id="progress-heading">Progress</h2>
    ${!h && !p.queued ? html`<p class="empty">No handover has been started for this employee.</p>` : ""}
    ${waiting ? html`<p role="status">Queued ${when(p.queued?.at)}; waiting for a worker to take it.</p>` : ""}
    ${
      h && !waiting
        ? html`<p role="status">
              Handover ${h.id} to ${h.successorAddress}
              (${h.all ? "everything but Trash and Junk" : "relevant mail"}):
              ${badge(h.status, h.status === "completed" ? "ok" : "warn")}
              ${polling ? "under way" : ""}
            </p>
            <p>
              <label for="handover-copied">Copied to the successor</label>
              <progress
                id="handover-copied"
                max="${expected ?? p.ledger.messages}"
                value="${p.ledger.messages}"
              >
                ${count(p.ledger.messages)}
              </progress>
              <span
                >${count(p.ledger.messages)}${expected !== null ? ` of ${count(expected)}` : ""}
                messages, ${bytes(p.ledger.bytes)}</span
              >
            </p>
            <ul class="phases">
              <li>Started ${when(h.startedAt)}</li>
              ${h.verifiedAt ? html`<li>Verified ${when(h.verifiedAt)}</li>` : ""}
              ${h.emptiedAt ? html`<li>Source emptied ${when(h.emptiedAt)}</li>` : ""}
              ${h.finishedAt ? html`<li>Finished ${when(h.finishedAt)}</li>` : ""}
            </ul>`
        : ""
    }
    ${
      stopped
        ? html`<p class="notice error" role="alert">
            The last run stopped (${p.lastEvent!.action},
            ${when(p.lastEvent!.at)})${p.lastEvent!.error ? html`: ${p.lastEvent!.error}` : ""}.
            Nothing unverified was deleted; start it again to resume.
          </p>`
        : ""
    }
    ${h && !polling && h.report.status ? handoverReportView(h.report) : ""}
  </section>`;
}

export function handoverBody(opts: {
  employee: EmployeeView;
  employees: readonly EmployeeView[];
  progress: HandoverProgress;
  csrf: Html;
  dryRun?: { report: HandoverReport; successor: string; all: boolean };
  error?: string;
}): Html {
  const e = opts.employee;
  const successors = opts.employees.filter((c) => c.id !== e.id && c.status !== "departed");
  const chosen = opts.dryRun?.successor ?? (e.successor ? String(e.successor.id) : "");
  return html`${mailboxTabs(mailboxPaths.handovers)}
    <p><a href="${mailboxPaths.employee(e.id)}">Back to ${e.address}</a></p>
    ${opts.error ? html`<p class="notice error" role="alert">${opts.error}</p>` : ""}
    ${
      e.status === "departed"
        ? html`<p>This employee has departed; their mailbox was handed over.</p>`
        : html`<h2 id="start-handover">Start a handover</h2>
            <form
              method="post"
              action="${mailboxPaths.handover(e.id)}/dry-run"
              aria-labelledby="start-handover"
            >
              ${opts.csrf}
              ${selectField({
                name: "successor",
                label: "Successor (receives the mail)",
                choices: successors.map((c) => ({ value: String(c.id), label: c.address })),
                value: chosen,
              })}
              <div class="field checkbox">
                <input
                  id="f-all"
                  name="all"
                  type="checkbox"
                  value="1"
                  ${opts.dryRun?.all ? html`checked` : ""}
                />
                <label for="f-all"
                  >Everything but Trash and Junk (otherwise only relevant mail)</label
                >
              </div>
              <div class="actions"><button type="submit" class="secondary">Dry run</button></div>
            </form>`
    }
    ${opts.dryRun ? dryRunView(e.id, opts.dryRun.report, opts.dryRun, opts.csrf) : ""}
    ${handoverProgressView(e.id, opts.progress)}`;
}

export function handoverListBody(
  list: ReadonlyArray<{
    id: number;
    status: string;
    all: boolean;
    employee: { id: number; address: string };
    successor: { id: number; address: string };
    copies: number;
    startedAt: string;
    finishedAt: string | null;
  }>,
): Html {
  return html`${mailboxTabs(mailboxPaths.handovers)}
    <p class="muted">Start one from the employee's page (Handover).</p>
    ${table({
      caption: "Handovers, latest first",
      headers: ["Handover", "From", "To", "Mode", "Status", "Copied", "Started", "Finished"],
      rows: list.map(
        (h) =>
          html`<tr>
            <td><a href="${mailboxPaths.handover(h.employee.id)}">${h.id}</a></td>
            <td>${h.employee.address}</td>
            <td>${h.successor.address}</td>
            <td>${h.all ? "all" : "relevant"}</td>
            <td>${badge(h.status, h.status === "completed" ? "ok" : "warn")}</td>
            <td>${count(h.copies)}</td>
            <td>${when(h.startedAt)}</td>
            <td>${when(h.finishedAt)}</td>
          </tr>`,
      ),
      empty: "No handover yet.",
    })}`;
}
