/**
 * The cleanup page: the default policy, digests sent, deletions waiting for
 * their date, steps left part-way, and past reports (counts and sizes per
 * folder, never subjects). Pure: data in, HTML out.
 */
import type { Config } from "../../config/load-config.ts";
import { html, type Html } from "./console-kit.ts";
import type { CleanupRunRow } from "./list-cleanup-runs.ts";
import { mailboxPaths, mailboxTabs } from "./mailbox-paths.ts";
import { badge, bytes, count, postButton, table, when } from "./view-helpers.ts";

const runTone = {
  review: "warn",
  deleting: "warn",
  done: "ok",
  refused: "bad",
  failed: "bad",
} as const;

function reportDetails(r: CleanupRunRow): Html {
  const folders = r.report.folders ?? [];
  if (folders.length === 0) return html``;
  return html`<details>
    <summary>Report of run ${r.id}</summary>
    ${table({
      caption: `Cleanup run ${r.id} per folder`,
      headers: [
        "Folder",
        "Candidates",
        "Kept (dialogue)",
        "Kept (customer)",
        "Selected",
        "Deleted",
        "Oldest",
      ],
      rows: folders.map(
        (f) =>
          html`<tr>
            <th scope="row">${f.folder}${f.specialUse ? html` (${f.specialUse})` : ""}</th>
            <td>${count(f.candidates)}</td>
            <td>${count(f.keptDialogue)}</td>
            <td>${count(f.keptCustomer)}</td>
            <td>${count(f.selected)} (${bytes(f.selectedBytes)})</td>
            <td>${count(f.deleted)} (${bytes(f.deletedBytes)})</td>
            <td>${when(f.oldest)}</td>
          </tr>`,
      ),
      empty: "",
    })}
    ${
      r.report.unmatchedFolders?.length
        ? html`<p>Folders of the policy not found: ${r.report.unmatchedFolders.join(", ")}</p>`
        : ""
    }
  </details>`;
}

function runRow(r: CleanupRunRow, now: Date): Html {
  const t = r.report.totals;
  const waiting =
    r.status === "review"
      ? Math.ceil((Date.parse(r.deleteAfter) - now.getTime()) / 86_400_000)
      : null;
  return html`<tr>
    <td>${r.id}</td>
    <td><a href="${mailboxPaths.employee(r.employeeId)}">${r.employeeAddress}</a></td>
    <td>
      ${badge(r.status, runTone[r.status])}${r.pending ? html` ${badge("step pending", "warn")}` : ""}
    </td>
    <td>${r.digestSentAt ? when(r.digestSentAt) : "no digest"}</td>
    <td>
      ${when(r.deleteAfter)}${waiting !== null ? (waiting > 0 ? html` (in ${waiting} days)` : html` (due)`) : ""}
    </td>
    <td>
      ${t ? html`${count(t.deleted)} of ${count(t.selected)} (${bytes(t.deletedBytes)})` : ""}
    </td>
    <td>${when(r.finishedAt)} ${reportDetails(r)}</td>
  </tr>`;
}

export function cleanupRunsTable(
  runs: readonly CleanupRunRow[],
  caption: string,
  now = new Date(),
): Html {
  return table({
    caption,
    headers: [
      "Run",
      "Employee",
      "Status",
      "Digest sent",
      "Delete after",
      "Deleted of selected",
      "Finished",
    ],
    rows: runs.map((r) => runRow(r, now)),
    empty: "No cleanup run yet.",
  });
}

export function cleanupBody(opts: {
  cleanup: Config["cleanup"];
  pending: readonly CleanupRunRow[];
  digests: readonly CleanupRunRow[];
  finished: readonly CleanupRunRow[];
  interrupted: readonly CleanupRunRow[];
  csrf: Html;
  now: Date;
}): Html {
  const c = opts.cleanup;
  return html`${mailboxTabs(mailboxPaths.cleanup)}
    <h2>Cleanup policy</h2>
    <p>
      Every year (<code>${c.schedule}</code>) each active employee gets a digest of what will be
      deleted; ${c.graceDays} days later it is deleted if the policy still selects it. Default
      policy: mail older than ${c.olderThanMonths} months in ${c.folders.join(", ")}; never in
      ${c.keepFolders.length > 0 ? c.keepFolders.join(", ") : "(no kept folders)"}; flagged
      messages, messages of dialogue records and of open customers are always kept. Deletion by
      ${c.deleteMode === "trash" ? "moving to Trash, then UID EXPUNGE there" : "UID EXPUNGE (RFC 4315)"}.
    </p>
    ${postButton({
      action: `${mailboxPaths.cleanup}/reviews`,
      label: "Send the review digests now",
      csrf: opts.csrf,
      kind: "secondary",
    })}
    <h2>Waiting for their date</h2>
    ${cleanupRunsTable(opts.pending, "Deletions announced and waiting for the grace period", opts.now)}
    ${
      opts.interrupted.length > 0
        ? html`<h2>Left part-way</h2>
            <p class="muted">
              A deletion step began and was cut off; the next attempt settles it first.
            </p>
            ${cleanupRunsTable(opts.interrupted, "Runs with a pending step", opts.now)}`
        : ""
    }
    <h2>Digests sent</h2>
    ${cleanupRunsTable(opts.digests, "Review digests sent, latest first", opts.now)}
    <h2>Reports of past cleanups</h2>
    ${cleanupRunsTable(opts.finished, "Finished cleanup runs, latest first", opts.now)}`;
}
