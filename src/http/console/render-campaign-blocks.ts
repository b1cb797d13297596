/**
 * The content blocks of the campaign editor: the introduction and the
 * articles, each a fieldset with its own buttons to move it up or down or
 * remove it. The buttons are plain submit buttons (no mouse needed, no
 * script needed: without htmx they save the draft and come back here); with
 * htmx they re-render just this fieldset from the unsaved form and move the
 * keyboard focus to where the article went (`autofocus`).
 */
import { maxArticles } from "../../newsletters/render/content-schemas.ts";
import type { CampaignFormValues } from "./campaign-form.ts";
import { escapeHtml, html, Html } from "./console-kit.ts";

export interface BlocksView {
  slug: string;
  values: CampaignFormValues;
  errors: Record<string, string>;
  /** after a block button: [article index, what to focus] */
  focus?: { index: number; on: "title" | "up" | "down" | "add" };
}

export function errorSlot(name: string, message?: string, oob = false): Html {
  // No whitespace inside: an empty slot must match CSS :empty (and read as nothing).
  const swap = oob ? ' hx-swap-oob="true"' : "";
  return new Html(
    `<p class="field-error" id="err-${escapeHtml(name)}"${swap}>${escapeHtml(message ?? "")}</p>`,
  );
}

export function textField(opts: {
  name: string;
  label: string;
  value: string;
  errors: Record<string, string>;
  hint?: string;
  multiline?: boolean;
  type?: string;
  autofocus?: boolean;
}): Html {
  const id = `f-${opts.name}`;
  const described = [opts.hint ? `${id}-hint` : "", `err-${opts.name}`].filter(Boolean).join(" ");
  const common = html`id="${id}" name="${opts.name}" aria-describedby="${described}"
  ${opts.autofocus ? html`autofocus` : ""}`;
  return html`<div class="field">
    <label for="${id}">${opts.label}</label>
    ${
      opts.multiline
        ? html`<textarea ${common} rows="6">${opts.value}</textarea>`
        : html`<input
            ${common}
            type="${opts.type ?? "text"}"
            value="${opts.value}"
            autocomplete="off"
          />`
    }
    ${opts.hint ? html`<small id="${id}-hint">${opts.hint}</small>` : ""}
    ${errorSlot(opts.name, opts.errors[opts.name])}
  </div>`;
}

export function renderCampaignBlocks(view: BlocksView): Html {
  const { values, errors, focus, slug } = view;
  const n = values.articles.length;
  const opButton = (op: string, label: string, i: number | null, autofocus: boolean) =>
    html`<button
      type="submit"
      class="secondary"
      name="op"
      value="${op}"
      formaction="/admin/campaigns/${slug}"
      hx-post="/admin/campaigns/${slug}/blocks"
      hx-target="#blocks"
      hx-swap="outerHTML"
      ${autofocus ? html`autofocus` : ""}
      ${i === null ? "" : html`aria-describedby="article-${i}-legend"`}
    >
      ${label}
    </button>`;
  return html`<fieldset id="blocks" class="blocks">
    <legend>Content</legend>
    ${textField({
      name: "intro",
      label: "Introduction",
      value: values.intro,
      errors,
      multiline: true,
      hint: "Markdown: **bold**, *italic*, [a link](https://example.com), - lists; a blank line starts a paragraph.",
    })}
    ${errorSlot("articles", errors.articles)}
    <ol class="articles">
      ${values.articles.map(
        (a, i) =>
          html`<li id="article-${i}">
            <fieldset class="article">
              <legend id="article-${i}-legend">Article ${i + 1} of ${n}</legend>
              ${textField({
                name: `article-title-${i}`,
                label: "Title",
                value: a.title,
                errors,
                autofocus: focus?.index === i && focus.on === "title",
              })}
              ${textField({
                name: `article-body-${i}`,
                label: "Text (Markdown)",
                value: a.body,
                errors,
                multiline: true,
              })}
              ${textField({
                name: `article-url-${i}`,
                label: "Link (“Read more” button)",
                value: a.url,
                errors,
                type: "url",
                hint: "Optional; https://…",
              })}
              ${textField({
                name: `article-image-${i}`,
                label: "Image address",
                value: a.imageUrl,
                errors,
                type: "url",
                hint: "Optional; an https:// address of a picture shown above the title.",
              })}
              <div class="actions">
                ${i > 0 ? opButton(`up-${i}`, "Move up", i, focus?.index === i && focus.on === "up") : ""}
                ${
                  i < n - 1
                    ? opButton(
                        `down-${i}`,
                        "Move down",
                        i,
                        focus?.index === i && focus.on === "down",
                      )
                    : ""
                }
                ${opButton(`remove-${i}`, "Remove", i, false)}
              </div>
            </fieldset>
          </li>`,
      )}
    </ol>
    ${
      n < maxArticles
        ? opButton("add", "Add an article", null, focus?.on === "add")
        : html`<p class="muted">At most ${maxArticles} articles.</p>`
    }
  </fieldset>`;
}
