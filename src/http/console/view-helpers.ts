/**
 * Small pieces the inbox and mailboxes pages share: tabs inside an area,
 * dates, sizes, select options, pagers. Every value goes through `html`, so
 * it is escaped.
 */
import { html, type Html } from "./console-kit.ts";

export interface Tab {
  href: string;
  label: string;
}

/** The area's own navigation; the current page is marked for screen readers (aria-current). */
export function tabs(label: string, items: readonly Tab[], current: string): Html {
  return html`<nav class="tabs" aria-label="${label}">
    <ul>
      ${items.map(
        (t) =>
          html`<li>
            <a href="${t.href}" ${t.href === current ? html`aria-current="page"` : ""}
              >${t.label}</a
            >
          </li>`,
      )}
    </ul>
  </nav>`;
}

/** "2026-11-30 14:05 UTC": one zone for every operator, the one the database keeps. */
export function when(value: Date | string | null | undefined): Html | string {
  if (value === null || value === undefined) return "";
  const d = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return "";
  const text = `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return html`<time datetime="${d.toISOString()}">${text}</time>`;
}

export function bytes(n: number | null | undefined): string {
  const v = n ?? 0;
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  if (v >= 1024) return `${Math.round(v / 1024)} KB`;
  return `${v} B`;
}

export function count(n: number | null | undefined): string {
  return (n ?? 0).toLocaleString("en-US");
}

/** `<option>`s with the current value selected; the first entry may be an "any" choice with value "". */
export function options(
  choices: readonly (string | { value: string; label: string })[],
  selected: string | undefined,
): Html[] {
  return choices.map((c) => {
    const { value, label } = typeof c === "string" ? { value: c, label: c || "any" } : c;
    return html`<option value="${value}" ${value === (selected ?? "") ? html`selected` : ""}>
      ${label}
    </option>`;
  });
}

/** Previous/next links that keep the filter's query parameters. */
export function pager(
  path: string,
  query: Record<string, string | undefined>,
  page: number,
  hasMore: boolean,
): Html {
  const link = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    if (p > 1) params.set("page", String(p));
    const qs = params.toString();
    return qs ? `${path}?${qs}` : path;
  };
  if (page <= 1 && !hasMore) return html``;
  return html`<nav class="pager" aria-label="Pages">
    ${page > 1 ? html`<a href="${link(page - 1)}" rel="prev">Newer</a>` : ""}
    <span>Page ${page}</span>
    ${hasMore ? html`<a href="${link(page + 1)}" rel="next">Older</a>` : ""}
  </nav>`;
}

/**
 * A table that says so when it is empty, rather than showing bare headers. It
 * sits in a box that scrolls sideways when the page is narrow (200% zoom); the
 * box is a focusable, named region so that a keyboard can scroll it too
 * (WCAG 2.1.1, axe's scrollable-region-focusable).
 */
export function table(opts: {
  caption: string;
  headers: readonly string[];
  rows: readonly Html[];
  empty: string;
}): Html {
  if (opts.rows.length === 0) return html`<p class="empty">${opts.empty}</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${opts.caption}">
    <table>
      <caption>
        ${opts.caption}
      </caption>
      <thead>
        <tr>
          ${opts.headers.map((h) => html`<th scope="col">${h}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${opts.rows}
      </tbody>
    </table>
  </div>`;
}

/** A label for a value with a state: "up", "failed", "hard". Text first: colour is only a hint. */
export function badge(text: string, tone: "ok" | "warn" | "bad" | "plain" = "plain"): Html {
  return html`<span class="badge badge-${tone}">${text}</span>`;
}

/** A labelled input; `hint` is tied to it with aria-describedby. */
export function field(opts: {
  name: string;
  label: string;
  value?: string | number | null;
  id?: string;
  type?: string;
  hint?: string;
  required?: boolean;
  placeholder?: string;
  autocomplete?: string;
}): Html {
  const id = opts.id ?? `f-${opts.name}`;
  return html`<div class="field">
    <label for="${id}">${opts.label}</label>
    <input
      id="${id}"
      name="${opts.name}"
      type="${opts.type ?? "text"}"
      value="${opts.value ?? ""}"
      ${opts.required ? html`required` : ""}
      ${opts.placeholder ? html`placeholder="${opts.placeholder}"` : ""}
      ${opts.hint ? html`aria-describedby="${id}-hint"` : ""}
      autocomplete="${opts.autocomplete ?? "off"}"
    />
    ${opts.hint ? html`<span class="hint" id="${id}-hint">${opts.hint}</span>` : ""}
  </div>`;
}

/** A labelled select. */
export function selectField(opts: {
  name: string;
  label: string;
  choices: readonly (string | { value: string; label: string })[];
  value?: string;
  id?: string;
}): Html {
  const id = opts.id ?? `f-${opts.name}`;
  return html`<div class="field">
    <label for="${id}">${opts.label}</label>
    <select id="${id}" name="${opts.name}">
      ${options(opts.choices, opts.value)}
    </select>
  </div>`;
}

/** A form with one button that posts to `action` (CSRF field included). */
export function postButton(opts: {
  action: string;
  label: string;
  csrf: Html;
  kind?: "primary" | "secondary" | "danger";
  fields?: Record<string, string | number>;
  extra?: Html;
  /** asked before the form is sent (console.js) */
  confirm?: string;
  /** read after the label by screen readers only: which row's button this is */
  hiddenLabel?: string;
}): Html {
  const kind = opts.kind ?? "primary";
  const confirm = opts.confirm ? html`data-confirm="${opts.confirm}"` : "";
  const hidden = opts.hiddenLabel
    ? html`<span class="visually-hidden"> ${opts.hiddenLabel}</span>`
    : "";
  return html`<form method="post" action="${opts.action}" class="inline-form">
    ${opts.csrf}
    ${Object.entries(opts.fields ?? {}).map(
      ([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`,
    )}
    ${opts.extra ?? ""}
    <button type="submit" class="${kind}" ${confirm}>${opts.label}${hidden}</button>
  </form>`;
}
