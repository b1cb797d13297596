/**
 * The CSV import's three steps as HTML: the upload form, the column mapping
 * (guessed from the header, shown with sample values), and the progress,
 * which htmx polls until the import ends and then shows the outcome with
 * every refused line: its number, what was wrong, what was expected.
 */
import type { FastifyRequest } from "fastify";
import { knownColumns, type Column } from "../../contacts/contact-row.ts";
import type { ListWithCounts } from "../../contacts/list-lists.ts";
import { explainImportError } from "../../contacts/explain-import-error.ts";
import { csrfField, html, type Html } from "./console-kit.ts";
import type { ImportSession } from "./import-sessions.ts";
import { count, options, table } from "./view-helpers.ts";

export const legalBases = ["legitimate_interest", "consent", "contract"] as const;

export interface UploadValues {
  list?: string;
  consentSource?: string;
  legalBasis?: string;
}

export function renderUploadForm(
  request: FastifyRequest,
  lists: ListWithCounts[],
  maxBytes: number,
  values: UploadValues = {},
): Html {
  return html`<p>
      Step 1 of 3: choose the file. The first line must name the columns; you map them to fields
      next. Rows with <code>consent</code> set to yes are subscribed to the list, each with a
      consent ledger entry that names the file and the line.
    </p>
    <form method="post" action="/admin/contacts/import" enctype="multipart/form-data">
      ${csrfField(request)}
      <p>
        <label for="import-file"
          >CSV file
          <span class="muted"
            >(at most ${maxBytes / 1024 / 1024} MB, UTF-8, comma-separated)</span
          ></label
        >
        <input id="import-file" type="file" name="file" accept=".csv,text/csv" required />
      </p>
      <p>
        <label for="import-list">Subscribe rows with consent to</label>
        <select id="import-list" name="list">
          ${options(
            [
              { value: "", label: "no list: store the contacts only" },
              ...lists.map((l) => ({ value: l.slug, label: `${l.name} (${l.slug})` })),
            ],
            values.list,
          )}
        </select>
      </p>
      <p>
        <label for="import-source">Where the consent was collected</label>
        <input
          id="import-source"
          name="consentSource"
          required
          maxlength="500"
          value="${values.consentSource ?? ""}"
          aria-describedby="import-source-help"
        />
        <span id="import-source-help" class="muted"
          >Stored with every consent event, such as “2026 trade fair sign-up sheet”.</span
        >
      </p>
      <p>
        <label for="import-basis">Legal basis for holding the contacts</label>
        <select id="import-basis" name="legalBasis">
          ${options(
            legalBases.map((b) => ({ value: b, label: b.replace(/_/g, " ") })),
            values.legalBasis ?? "legitimate_interest",
          )}
        </select>
      </p>
      <p><button type="submit">Upload and map columns</button></p>
    </form>`;
}

export function renderMappingForm(
  request: FastifyRequest,
  s: ImportSession,
  chosen: Array<Column | null>,
): Html {
  const choices = [
    { value: "", label: "ignore this column" },
    ...knownColumns.map((c) => ({ value: c, label: c })),
  ];
  return html`<p>
      Step 2 of 3: say which field each column of <strong>${s.fileName}</strong> holds
      (${count(s.records)} data
      rows${s.list ? html`; rows with consent join <code>${s.list}</code>` : ""}). Guessed from the
      header; one column must be <code>email</code>.
    </p>
    <form method="post" action="/admin/contacts/import/${s.id}/run">
      ${csrfField(request)}
      <div class="table-wrap" tabindex="0" role="region" aria-label="Columns of the file">
        <table>
          <caption>
            Columns of the file, with the first values
          </caption>
          <thead>
            <tr>
              <th scope="col">Column in the file</th>
              <th scope="col">First values</th>
              <th scope="col">Field</th>
            </tr>
          </thead>
          <tbody>
            ${s.header.map(
              (h, i) =>
                html`<tr>
                  <th scope="row" id="column-${i}-name">${h || html`<em>(no name)</em>`}</th>
                  <td>
                    ${s.samples
                      .map((r) => r[i] ?? "")
                      .filter(Boolean)
                      .join(" · ")}
                  </td>
                  <td>
                    <select name="column-${i}" aria-labelledby="column-${i}-name">
                      ${options(choices, chosen[i] ?? "")}
                    </select>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <p class="muted">
        consent: yes/no, true/false, 1/0 (empty is no). Dates: YYYY-MM-DD or ISO 8601.
        product_interests: separated by “;”.
      </p>
      <p class="actions">
        <button type="submit">Import</button>
        <a href="/admin/contacts/import">Start again with another file</a>
      </p>
    </form>`;
}

/** The part htmx replaces every second while the import runs; once it has ended it stops polling. */
export function renderProgress(s: ImportSession): Html {
  const run = s.run;
  if (!run)
    return html`<p>
      This import has not started: <a href="/admin/contacts/import/${s.id}">map the columns</a>.
    </p>`;
  const url = `/admin/contacts/import/${s.id}/progress`;
  if (run.state === "running") {
    const pct = run.total === 0 ? 0 : Math.floor((run.done / run.total) * 100);
    return html`<section
      id="import-progress"
      hx-get="${url}"
      hx-trigger="every 1s"
      hx-swap="outerHTML"
      aria-labelledby="import-progress-label"
    >
      <p id="import-progress-label">Importing ${s.fileName}…</p>
      <progress max="${run.total}" value="${run.done}" aria-labelledby="import-progress-label">
        ${pct}%
      </progress>
      <p role="status">${count(run.done)} of ${count(run.total)} rows (${pct}%)</p>
      <p class="muted">
        <a href="/admin/contacts/import/${s.id}/status">Refresh</a> if this does not move.
      </p>
    </section>`;
  }
  if (run.state === "failed")
    return html`<section id="import-progress">
      <p class="notice error" role="alert">${run.error}</p>
    </section>`;
  const r = run.result!;
  const counts: Array<[string, number]> = [
    ["rows read", r.rows],
    ["new contacts", r.imported],
    ["contacts updated", r.updated],
    ["subscribed", r.subscribed],
    ["already subscribed", r.alreadySubscribed],
    ["not subscribed: suppressed or erased", r.skippedSuppressed],
    ["not subscribed: unsubscribed after the consent date", r.skippedUnsubscribed],
    ["lines refused", r.errors.length],
  ];
  return html`<section id="import-progress">
    <p role="status" class="notice ${r.errors.length > 0 ? "error" : "ok"}">
      Import finished: ${count(r.imported)} new, ${count(r.updated)} updated, ${count(r.subscribed)}
      subscribed${
        r.errors.length > 0
          ? html`; ${count(r.errors.length)} line${r.errors.length === 1 ? " was" : "s were"}
            refused (below)`
          : ""
      }.
    </p>
    <progress max="1" value="1" aria-label="Import progress">100%</progress>
    <dl class="facts">
      ${counts.map(
        ([label, n]) =>
          html`<dt>${label}</dt>
            <dd>${count(n)}</dd>`,
      )}
    </dl>
    ${table({
      caption: "Lines refused (the other lines were imported)",
      headers: ["Line", "What was wrong", "What was expected"],
      empty: "Every line was imported.",
      rows: r.errors.map((e) => {
        const { wrong, expected } = explainImportError(e.reason);
        return html`<tr>
          <th scope="row">${e.line}</th>
          <td>${wrong}</td>
          <td>${expected}</td>
        </tr>`;
      }),
    })}
    <p class="muted">
      Import id <code>${r.importId}</code> (in the audit log as contacts.imported).
    </p>
    <p><a href="/admin/contacts/import">Import another file</a></p>
  </section>`;
}
