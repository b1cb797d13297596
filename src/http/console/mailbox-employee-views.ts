/**
 * The mailboxes area's directory pages: the employees, the add form, one
 * employee with the edit form, the mailbox check, and cleanup at a glance.
 * Secrets appear only as their env:/file: references. Pure: data in, HTML out.
 */
import type { CleanupPolicy } from "../../mailboxes/cleanup-policy.ts";
import { capabilitiesThatMatter, type MailboxCheck } from "../../mailboxes/check-mailbox.ts";
import type { EmployeeView } from "../../mailboxes/employee-view.ts";
import { html, type Html } from "./console-kit.ts";
import type { FormBody } from "./employee-form.ts";
import type { CleanupRunRow } from "./list-cleanup-runs.ts";
import { cleanupRunsTable } from "./mailbox-cleanup-views.ts";
import { mailboxPaths, mailboxTabs } from "./mailbox-paths.ts";
import { badge, count, field, postButton, selectField, table, when } from "./view-helpers.ts";

const statusTone = { active: "ok", departing: "warn", departed: "plain" } as const;

function employeeRow(e: EmployeeView): Html {
  return html`<tr>
    <th scope="row"><a href="${mailboxPaths.employee(e.id)}">${e.address}</a></th>
    <td>${badge(e.status, statusTone[e.status])}</td>
    <td>${e.imapHost}:${e.imapPort} (${e.tlsMode})</td>
    <td><code>${e.secretRef}</code></td>
    <td>${e.successor?.address ?? ""}</td>
    <td>${e.cleanupPolicy ? "own" : "default"}</td>
  </tr>`;
}

const tlsChoices = [
  { value: "tls", label: "TLS (port 993)" },
  { value: "starttls", label: "STARTTLS (port 143)" },
  { value: "none", label: "none (loopback only)" },
];

const languageChoices = [
  { value: "", label: "the default (DEFAULT_LANGUAGE)" },
  { value: "en", label: "English" },
  { value: "nl", label: "Nederlands" },
  { value: "nb", label: "Norsk bokmål" },
];

const secretHint =
  "Where the worker reads the password: env:NAME (an environment variable) or file:PATH. The password itself is never stored or shown.";

function successorChoices(employees: readonly EmployeeView[], exclude?: number) {
  return [
    { value: "", label: "none" },
    ...employees
      .filter((e) => e.id !== exclude && e.status !== "departed")
      .map((e) => ({ value: String(e.id), label: e.address })),
  ];
}

function policyFields(values: FormBody | EmployeeView["cleanupPolicy"]): Html {
  const v = (values ?? {}) as Record<string, unknown>;
  const list = (x: unknown) => (Array.isArray(x) ? x.join(", ") : typeof x === "string" ? x : "");
  return html`<fieldset>
    <legend>Cleanup policy (blank: the default)</legend>
    ${field({
      name: "cleanupOlderThanMonths",
      label: "Delete mail older than (months)",
      value: String(v.cleanupOlderThanMonths ?? v.olderThanMonths ?? ""),
      type: "text",
    })}
    ${field({
      name: "cleanupFolders",
      label: "Folders to clean",
      value: list(v.cleanupFolders ?? v.folders),
      hint: "Comma-separated names or SPECIAL-USE attributes such as \\Sent, \\Trash",
    })}
    ${field({
      name: "cleanupKeepFolders",
      label: "Folders never touched",
      value: list(v.cleanupKeepFolders ?? v.keepFolders),
    })}
  </fieldset>`;
}

export function directoryBody(opts: {
  employees: readonly EmployeeView[];
  csrf: Html;
  /** the add form's values after a refused submission */
  values?: FormBody;
  error?: string;
}): Html {
  const v = (name: string) => {
    const x = opts.values?.[name];
    return Array.isArray(x) ? x[0] : x;
  };
  return html`${mailboxTabs(mailboxPaths.directory)}
    ${table({
      caption: "Employees and their mailboxes",
      headers: ["Address", "Status", "IMAP server", "Password from", "Successor", "Cleanup policy"],
      rows: opts.employees.map(employeeRow),
      empty: "No employee is in the directory yet.",
    })}
    <h2 id="add-employee">Add an employee</h2>
    ${opts.error ? html`<p class="notice error" role="alert">${opts.error}</p>` : ""}
    <form method="post" action="${mailboxPaths.directory}/employees" aria-labelledby="add-employee">
      ${opts.csrf}
      ${field({ name: "address", label: "Address", value: v("address"), type: "email", required: true })}
      ${field({ name: "imapHost", label: "IMAP host", value: v("imapHost"), required: true })}
      ${field({ name: "imapPort", label: "IMAP port", value: v("imapPort") ?? "993", required: true })}
      ${selectField({ name: "tlsMode", label: "Connection security", choices: tlsChoices, value: v("tlsMode") })}
      ${field({ name: "login", label: "Login (blank: the address)", value: v("login") })}
      ${field({
        name: "secretRef",
        label: "Password reference",
        value: v("secretRef"),
        required: true,
        placeholder: "env:MAILBOX_PAT_PASSWORD",
        hint: secretHint,
      })}
      ${selectField({
        name: "successor",
        label: "Successor",
        choices: successorChoices(opts.employees),
        value: v("successor"),
      })}
      ${selectField({
        name: "language",
        label: "Language of the review digest",
        choices: languageChoices,
        value: v("language"),
      })}
      ${policyFields(opts.values ?? null)}
      <div class="actions"><button type="submit">Add employee</button></div>
    </form>`;
}

function checkResult(check: MailboxCheck): Html {
  const caps = Object.entries(check.capabilities) as [
    keyof typeof capabilitiesThatMatter,
    boolean | string,
  ][];
  return html`<section aria-labelledby="check-result">
    <h3 id="check-result">Mailbox check</h3>
    <p class="notice${check.cleanupReady ? "" : " error"}" role="status">
      ${
        check.cleanupReady
          ? "Logged in. The server offers UIDPLUS: cleanup and handover can run here."
          : "Logged in, but the server lacks UIDPLUS (RFC 4315): cleanup and handover are refused here."
      }
    </p>
    ${table({
      caption: "Capabilities that matter",
      headers: ["Capability", "Offered", "Why it matters"],
      rows: caps.map(
        ([name, value]) =>
          html`<tr>
            <th scope="row">${name}</th>
            <td>
              ${value === false ? badge("no", "warn") : badge(value === true ? "yes" : `yes (${value})`, "ok")}
            </td>
            <td>${capabilitiesThatMatter[name]}</td>
          </tr>`,
      ),
      empty: "",
    })}
    ${check.quota ? html`<p>Quota: ${count(check.quota.usedKb)} KB of ${count(check.quota.limitKb)} KB used.</p>` : ""}
    ${table({
      caption: "Folders",
      headers: ["Folder", "Special use", "Messages"],
      rows: check.folders.map(
        (f) =>
          html`<tr>
            <th scope="row">${f.path}</th>
            <td>${f.specialUse ?? ""}</td>
            <td>${f.messages === null ? "" : count(f.messages)}</td>
          </tr>`,
      ),
      empty: "The mailbox has no folders.",
    })}
  </section>`;
}

export function employeeBody(opts: {
  employee: EmployeeView;
  employees: readonly EmployeeView[];
  policy: CleanupPolicy;
  runs: readonly CleanupRunRow[];
  csrf: Html;
  check?: MailboxCheck;
  checkError?: string;
  error?: string;
  values?: FormBody;
}): Html {
  const e = opts.employee;
  const self = mailboxPaths.employee(e.id);
  const v = (name: keyof EmployeeView) => {
    const x = opts.values?.[name];
    return Array.isArray(x) ? x[0] : (x ?? String(e[name] ?? ""));
  };
  return html`${mailboxTabs(mailboxPaths.directory)}
    <p>
      ${badge(e.status, statusTone[e.status])} IMAP ${e.imapHost}:${e.imapPort} (${e.tlsMode}),
      login ${e.login}, password from <code>${e.secretRef}</code>
      ${e.departedAt ? html`; departed ${when(e.departedAt)}` : ""}
    </p>
    <div class="actions">
      ${postButton({ action: `${self}/check`, label: "Check the mailbox", csrf: opts.csrf, kind: "secondary" })}
      <a href="${mailboxPaths.handover(e.id)}">Handover</a>
    </div>
    ${opts.checkError ? html`<p class="notice error" role="alert">Mailbox check failed: ${opts.checkError}</p>` : ""}
    ${opts.check ? checkResult(opts.check) : ""}
    <h2>Cleanup</h2>
    <p>
      ${opts.policy.isDefault ? "Default policy" : "Own policy"}: mail older than
      ${opts.policy.olderThanMonths} months in ${opts.policy.folders.join(", ")}; never in
      ${opts.policy.keepFolders.length > 0 ? opts.policy.keepFolders.join(", ") : "(no kept folders)"};
      deletion by ${opts.policy.deleteMode === "trash" ? "moving to Trash" : "UID EXPUNGE"}.
    </p>
    <div class="actions">
      ${postButton({ action: `${self}/cleanup/review`, label: "Send the review digest now", csrf: opts.csrf, kind: "secondary" })}
      ${postButton({ action: `${self}/cleanup/delete`, label: "Queue the cleanup now", csrf: opts.csrf, kind: "danger" })}
    </div>
    ${cleanupRunsTable(opts.runs, "This mailbox's cleanup runs")}
    <h2 id="edit-employee">Change</h2>
    ${opts.error ? html`<p class="notice error" role="alert">${opts.error}</p>` : ""}
    <form method="post" action="${self}" aria-labelledby="edit-employee">
      ${opts.csrf}
      ${field({ name: "imapHost", label: "IMAP host", value: v("imapHost"), required: true })}
      ${field({ name: "imapPort", label: "IMAP port", value: v("imapPort"), required: true })}
      ${selectField({ name: "tlsMode", label: "Connection security", choices: tlsChoices, value: v("tlsMode") })}
      ${field({ name: "login", label: "Login", value: v("login"), required: true })}
      ${field({ name: "secretRef", label: "Password reference", value: v("secretRef"), required: true, hint: secretHint })}
      ${selectField({ name: "status", label: "Status", choices: ["active", "departing", "departed"], value: v("status") })}
      ${selectField({
        name: "successor",
        label: "Successor",
        choices: successorChoices(opts.employees, e.id),
        value: Array.isArray(opts.values?.successor)
          ? opts.values.successor[0]
          : (opts.values?.successor ?? (e.successor ? String(e.successor.id) : "")),
      })}
      ${selectField({
        name: "language",
        label: "Language of the review digest",
        choices: languageChoices,
        value: v("language"),
      })}
      ${policyFields(opts.values ?? e.cleanupPolicy)}
      <div class="actions"><button type="submit">Save changes</button></div>
    </form>
    <h2>Remove from the directory</h2>
    <p class="muted">The mailbox itself is not touched. Refused while a handover is under way.</p>
    ${postButton({ action: `${self}/remove`, label: "Remove employee", csrf: opts.csrf, kind: "danger" })}`;
}
