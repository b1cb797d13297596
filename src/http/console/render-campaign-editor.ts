/**
 * The draft editor: the message and its content blocks, the audience, a test
 * to yourself and the schedule on the left in one form (every button saves
 * the draft first, so nothing typed is lost); the live preview on the right,
 * re-rendered by htmx from the unsaved form 0.7 s after typing stops.
 */
import type { ListWithCounts } from "../../contacts/list-lists.ts";
import type { CampaignFormValues } from "./campaign-form.ts";
import { html, type Html } from "./console-kit.ts";
import {
  errorSlot,
  renderCampaignBlocks,
  textField,
  type BlocksView,
} from "./render-campaign-blocks.ts";
import { count, options } from "./view-helpers.ts";

export interface EditorView {
  slug: string;
  values: CampaignFormValues;
  errors: Record<string, string>;
  templates: string[];
  lists: ListWithCounts[];
  operatorEmail: string;
  zones: string[];
  schedule?: { when: string; at: string; zone: string; allowSensitive: string };
  focus?: BlocksView["focus"];
}

export function renderCampaignEditor(csrf: Html, view: EditorView): Html {
  const { slug, values, errors } = view;
  const base = `/admin/campaigns/${slug}`;
  const schedule = view.schedule ?? { when: "now", at: "", zone: "UTC", allowSensitive: "" };
  return html`<p><a href="/admin/campaigns">All campaigns</a> · Draft <code>${slug}</code></p>
    <div class="editor-layout">
      <form id="editor" class="editor" method="post" action="${base}">
        ${csrf}
        <fieldset>
          <legend>Message</legend>
          <div class="field">
            <label for="f-template">Template</label>
            <select id="f-template" name="template">
              ${options(view.templates, values.template)}
            </select>
          </div>
          ${textField({
            name: "subject",
            label: "Subject",
            value: values.subject,
            errors,
            hint: "Placeholders: {{name}}, {{company}}, {{email}}",
          })}
          ${textField({
            name: "preheader",
            label: "Preheader (the line inboxes show after the subject)",
            value: values.preheader,
            errors,
          })}
        </fieldset>
        ${renderCampaignBlocks({ slug, values, errors, focus: view.focus })}
        <fieldset id="audience-fields">
          <legend>Audience</legend>
          <fieldset class="choices" aria-describedby="err-lists">
            <legend>Lists (subscribers of any of them)</legend>
            ${view.lists.map(
              (l) =>
                html`<label class="choice">
                  <input
                    type="checkbox"
                    name="lists"
                    value="${l.slug}"
                    ${values.lists.includes(l.slug) ? html`checked` : ""}
                  />
                  ${l.name}
                  <span class="muted">(${l.slug}, ${count(l.counts.subscribed)} subscribed)</span>
                </label>`,
            )}
            ${errorSlot("lists", errors.lists)}
          </fieldset>
          <p class="muted">
            Segment (optional): only contacts whose field is one of the values, comma-separated.
          </p>
          ${textField({ name: "segment-industry", label: "Industry", value: values.segment.industry, errors })}
          ${textField({
            name: "segment-interests",
            label: "Product interests",
            value: values.segment.productInterests,
            errors,
          })}
          ${textField({ name: "segment-company", label: "Company", value: values.segment.company, errors })}
          ${errorSlot("segment", errors.segment)}
          <div
            id="audience"
            class="audience"
            hx-post="${base}/audience"
            hx-trigger="load, change from:#audience-fields delay:300ms"
            hx-include="#editor"
            aria-live="polite"
          >
            <p class="muted">Counting the audience…</p>
          </div>
        </fieldset>
        <div class="actions">
          <button type="submit" name="op" value="save">Save draft</button>
        </div>
        <fieldset>
          <legend>Test</legend>
          <p>
            Sends the saved draft once to <strong>${view.operatorEmail}</strong>, subject marked
            [TEST].
          </p>
          <button type="submit" class="secondary" formaction="${base}/test">
            Send a test to me
          </button>
        </fieldset>
        <fieldset class="schedule">
          <legend>Schedule</legend>
          <label class="choice"
            ><input
              type="radio"
              name="when"
              value="now"
              ${schedule.when !== "later" ? html`checked` : ""}
            />
            Send now</label
          >
          <label class="choice"
            ><input
              type="radio"
              name="when"
              value="later"
              ${schedule.when === "later" ? html`checked` : ""}
            />
            Send at a time:</label
          >
          <div class="field-row">
            <div class="field">
              <label for="f-at">Date and time</label>
              <input
                id="f-at"
                name="at"
                type="datetime-local"
                value="${schedule.at}"
                aria-describedby="err-at"
              />
            </div>
            <div class="field">
              <label for="f-zone">Time zone</label>
              <select id="f-zone" name="zone">
                ${options(view.zones, schedule.zone)}
              </select>
            </div>
          </div>
          ${errorSlot("at", errors.at)}
          ${textField({
            name: "allowSensitive",
            label: "Send despite a sensitive-data warning, because…",
            value: schedule.allowSensitive,
            errors,
            hint: "Leave empty unless scheduling was refused for sensitive data; the reason goes in the audit log.",
          })}
          <button
            type="submit"
            formaction="${base}/schedule"
            data-confirm="Schedule this campaign to its audience?"
          >
            Schedule
          </button>
        </fieldset>
      </form>
      <section class="preview" aria-labelledby="preview-heading">
        <h2 id="preview-heading">Preview</h2>
        <div
          id="preview"
          hx-post="${base}/preview"
          hx-trigger="load, input delay:700ms from:#editor, change from:#editor, blocks-changed from:body"
          hx-include="#editor"
          hx-sync="this:replace"
        >
          <p class="muted">Rendering the preview…</p>
        </div>
      </section>
    </div>`;
}
