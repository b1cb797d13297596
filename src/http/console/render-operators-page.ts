/**
 * /admin/operators: who may sign in, with which role, and when they last did;
 * a form to add one; disable and reset-password buttons. A password made
 * here is shown once, in the answer to the POST that made it, and nowhere
 * else: never in a URL, a log or the database (only its hash is stored).
 * Pure: data in, escaped HTML out.
 */
import type { OperatorListing } from "../../operators/list-operators.ts";
import { operatorRoles } from "../../operators/operator-deps.ts";
import { html, type Html } from "./console-kit.ts";
import { badge, field, postButton, selectField, table, when } from "./view-helpers.ts";

export const operatorsPath = "/admin/operators";

export interface OperatorsView {
  operators: readonly OperatorListing[];
  lastSignIns: ReadonlyMap<number, Date>;
  /** the signed-in admin: no disable or reset buttons on their own row */
  selfId: number;
  now: Date;
  /** a password just made, to show once */
  secret?: { email: string; password: string; what: "added" | "reset" };
  /** the add form's values after a refusal */
  values?: { email: string; name: string; role: string };
}

function state(o: OperatorListing, now: Date): Html {
  if (o.disabledAt) return html`${badge("disabled", "bad")} since ${when(o.disabledAt)}`;
  if (o.lockedUntil && o.lockedUntil > now)
    return html`${badge("locked", "warn")} until ${when(o.lockedUntil)}`;
  return badge("active", "ok");
}

function actions(o: OperatorListing, view: OperatorsView, csrf: Html): Html {
  if (o.id === view.selfId) return html`<span class="muted">you</span>`;
  if (o.disabledAt) return html``;
  const which = { csrf, hiddenLabel: `of ${o.email}` };
  return html`<div class="row-actions">
    ${postButton({
      ...which,
      action: `${operatorsPath}/${o.id}/reset-password`,
      label: "Reset password",
      kind: "secondary",
      confirm: `Give ${o.email} a new password? Their sessions end now.`,
    })}
    ${postButton({
      ...which,
      action: `${operatorsPath}/${o.id}/disable`,
      label: "Disable",
      kind: "danger",
      confirm: `Disable ${o.email}? Their sessions end and their API tokens are revoked.`,
    })}
  </div>`;
}

function secretPanel(secret: NonNullable<OperatorsView["secret"]>): Html {
  return html`<section class="notice ok" aria-labelledby="secret-heading" id="secret">
    <h2 id="secret-heading">
      ${secret.what === "added" ? "Operator added" : "Password reset"}: ${secret.email}
    </h2>
    <p>
      Their password, shown this once:
      <code class="secret" data-testid="new-password">${secret.password}</code>
    </p>
    <p>
      Hand it over in person or by phone, not by email. It cannot be shown again: if it is lost,
      reset it.
    </p>
  </section>`;
}

export function renderOperatorsPage(view: OperatorsView, csrf: Html): Html {
  const v = view.values ?? { email: "", name: "", role: "marketing" };
  const rows = view.operators.map(
    (o) =>
      html`<tr data-operator="${o.email}">
        <th scope="row">${o.email}</th>
        <td>${o.name ?? ""}</td>
        <td>${o.role}</td>
        <td>${state(o, view.now)}</td>
        <td>${when(view.lastSignIns.get(o.id)) || "never"}</td>
        <td>${when(o.createdAt)}</td>
        <td>${actions(o, view, csrf)}</td>
      </tr>`,
  );
  return html`${view.secret ? secretPanel(view.secret) : ""}
    ${table({
      caption: "Operators",
      headers: ["Email", "Name", "Role", "State", "Last sign-in", "Added", "Actions"],
      rows,
      empty: "No operators.",
    })}
    <section aria-labelledby="add-heading">
      <h2 id="add-heading">Add an operator</h2>
      <p class="muted">
        A password is made for them and shown here once. Roles: marketing (campaigns, lists,
        contacts, inbox), it (employees' mailboxes), privacy (contacts, inbox, data-subject
        requests, audit), admin (everything, jobs and operators too).
      </p>
      <form method="post" action="${operatorsPath}" class="stack">
        ${csrf}
        ${field({ name: "email", label: "Email", type: "email", value: v.email, required: true, autocomplete: "off" })}
        ${field({ name: "name", label: "Name", value: v.name, hint: "optional" })}
        ${selectField({ name: "role", label: "Role", choices: operatorRoles, value: v.role })}
        <div class="actions"><button type="submit">Add operator</button></div>
      </form>
    </section>`;
}
